"""Own Jinja environment, restricted URL fetcher, HTML and PDF rendering."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.errors import RefusedURLError
from reports.i18n import check_lang, translate

PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR / "assets"
BASE_URL = ASSETS_DIR.as_uri() + "/"
"""Relative URLs in templates (``report.css``) resolve inside the assets folder."""


class AssetsOnlyFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint has no type hints
    """Serves files under `ASSETS_DIR` and ``data:`` URLs; refuses everything else.

    Templates render user-supplied names (units, waves); even though they are escaped,
    no URL may reach the network or the rest of the file system (the indico receipts idea).
    """

    def __init__(self, assets_dir: Path = ASSETS_DIR) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.assets_dir = assets_dir.resolve()

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        """Return the resource for an allowed URL, else raise `RefusedURLError`."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._asset_path(url)
            return URLFetcherResponse(path.as_uri(), path.read_bytes(),
                                      headers={"Content-Type": _mime_type(path)})
        raise RefusedURLError(f"refused to fetch {url!r}: only the report assets are allowed")

    def _asset_path(self, url: str) -> Path:
        """The file an asset URL names, if it lies inside the assets folder."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise RefusedURLError(f"refused to fetch {url!r}: remote file URL")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.assets_dir) or not path.is_file():
            raise RefusedURLError(f"refused to fetch {url!r}: outside the report assets")
        return path


_MIME = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png",
         ".ttf": "font/ttf", ".woff2": "font/woff2", ".woff": "font/woff"}


def _mime_type(path: Path) -> str:
    """Content type by file suffix (the assets folder holds only these kinds)."""
    return _MIME.get(path.suffix.lower(), "application/octet-stream")


def make_environment() -> jinja2.Environment:
    """A Jinja environment that escapes everything and fails on undefined names."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["translate"] = translate
    return env


ENV = make_environment()


def render_html(template: str, lang: str = "id", **context: Any) -> str:
    """Render `template` with plain-data `context`; ``t(key)`` translates fixed texts."""
    check_lang(lang)

    def t(key: str, /, **values: object) -> str:
        return translate(key, lang, **values)

    return ENV.get_template(template).render(lang=lang, t=t, **context)


def render_pdf(html: str) -> bytes:
    """Turn report HTML into PDF bytes through the assets-only fetcher."""
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=AssetsOnlyFetcher())
    out = io.BytesIO()
    document.write_pdf(out)
    return out.getvalue()
