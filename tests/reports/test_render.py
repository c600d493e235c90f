import logging

import numpy as np
import pytest
from PIL import Image

from reports.errors import RefusedURLError, UnsupportedLanguageError
from reports.i18n import translate
from reports.render import ASSETS_DIR, AssetsOnlyFetcher, render_html, render_pdf
from tests.reports.pdftext import page_picture, pdf_text


@pytest.fixture
def fetcher():
    return AssetsOnlyFetcher()


def test_fetcher_serves_assets(fetcher):
    response = fetcher.fetch((ASSETS_DIR / "report.css").as_uri())
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


def test_fetcher_serves_data_urls(fetcher):
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    (ASSETS_DIR / ".." / "render.py").as_uri(),
    ASSETS_DIR.as_uri() + "/../render.py",
    ASSETS_DIR.as_uri() + "/%2e%2e/render.py",
    "file://evil.example" + (ASSETS_DIR / "report.css").as_posix(),
    "http://127.0.0.1:9/x.css",
    "https://example.org/x.png",
    "ftp://example.org/x.png",
])
def test_fetcher_refuses_everything_else(fetcher, url):
    with pytest.raises(RefusedURLError):
        fetcher.fetch(url)


def test_a_remote_image_in_html_is_not_fetched(caplog):
    html = ('<html><body><p>ok</p><img src="http://127.0.0.1:9/x.png">'
            '<img src="file:///etc/hostname"></body></html>')
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        pdf = render_pdf(html)
    assert "ok" in pdf_text(pdf)
    refused = [r for r in caplog.records if "refused to fetch" in r.getMessage()]
    assert len(refused) == 2


def test_unknown_language_is_refused():
    with pytest.raises(UnsupportedLanguageError, match="Bahasa"):
        render_html("base.html", "fr")
    with pytest.raises(UnsupportedLanguageError):
        translate("doc.page", "de")


def test_page_picture_is_not_blank(tmp_path):
    from reports.slips import Slip, render_code_slips
    pdf = render_code_slips([Slip("ABCDEFGHJKLM", "https://x.example/r#ABCDEFGHJKLM",
                                  "Unit", "2026-Q4", "31-12-2026")])
    pixels = np.asarray(Image.open(page_picture(pdf, tmp_path)).convert("L"), dtype=float)
    assert pixels.var() > 50


def test_every_text_key_used_in_templates_exists_in_both_languages():
    import re

    import reports.documents  # noqa: F401  (registers the report texts)
    import reports.slips  # noqa: F401
    from reports.i18n import MESSAGES
    from reports.render import PACKAGE_DIR

    used = set()
    for template in (PACKAGE_DIR / "templates").glob("*.html"):
        used |= set(re.findall(r"""\bt\(["']([a-z0-9_.]+)["']""", template.read_text()))
    used = {key for key in used if not key.endswith(".")}  # "belowk." ~ reason is dynamic
    assert len(used) > 60
    assert sorted(used - set(MESSAGES)) == []
    assert all(set(texts) == {"id", "en"} for texts in MESSAGES.values())


def test_a_unit_report_page_picture_is_not_blank(tmp_path):
    from reports.documents import render_unit_report
    from tests.reports.factories import unit_context

    pdf = render_unit_report(unit_context())
    pixels = np.asarray(Image.open(page_picture(pdf, tmp_path, page=2)).convert("L"), float)
    assert pixels.var() > 100  # text, tables and the orange warning box
    assert (pixels < 128).mean() > 0.01  # some dark ink, not an empty page
