"""The results overview of a large closed wave (issue #15): the heatmap page for 1,000 units
and the 13 dimensions of the three culture instruments, rendered through the real app.

An organisation of ``--units`` units is loaded with ``--responses`` random responses
(`bench.scale.build`, SQLite), the wave is closed for real (`services.close_wave`: the published
cells, hidden below k, are what the page reads), and an admin's requests are timed through
Flask's test client (no network):

- page: ``GET /hr/hasil/<wave>`` (the table of every unit, response rates, needs attention);
- pictures: every ``peta-<n>.svg`` the page links (a large tree's heatmap is drawn in parts);
- baseline: ``GET /hr/hasil/`` (the list of waves: login, session and layout, no data), the
  fixed cost of any HR page in the same run.

Best and median of ``--repeat`` runs.

    .venv/bin/python -m bench.heatmap [--units 1000] [--responses 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.scale import _app, build

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench horse battery staple"  # noqa: S105 (a throw-away database of the bench)


def _close(app: Any, wave_id: int) -> float:
    from survey_app.extensions import db
    from survey_app.models import Wave
    from survey_app.services import close_wave
    from survey_app.services.users import create_user

    with app.app_context():
        start = time.perf_counter()
        close_wave(db.session.get(Wave, wave_id), actor="bench")
        db.session.commit()
        took = time.perf_counter() - start
        create_user("admin", PASSWORD, "admin")
        db.session.commit()
    return took


def _client(app: Any) -> Any:
    client = app.test_client()
    page = client.get("/hr/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise SystemExit("no CSRF token on the login page")
    reply = client.post("/hr/masuk", data={"csrf_token": token.group(1), "username": "admin",
                                          "password": PASSWORD})
    if reply.status_code != 302:
        raise SystemExit(f"login failed: {reply.status_code}")
    return client


def _get(client: Any, url: str) -> str:
    reply = client.get(url)
    if reply.status_code != 200:
        raise SystemExit(f"{url}: {reply.status_code}")
    return str(reply.get_data(as_text=True))


def _times(fn: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def measure(units: int, responses: int, repeat: int) -> dict[str, Any]:
    """Seconds of each request on the closed wave, and what the page holds."""
    with tempfile.TemporaryDirectory() as folder:
        app = _app(f"sqlite:///{folder}/heatmap.db", folder)
        wave_id = build(app, units, responses)
        close = _close(app, wave_id)
        client = _client(app)
        overview = f"/hr/hasil/{wave_id}"
        html = _get(client, overview)
        pictures = sorted(set(re.findall(rf"/hr/hasil/{wave_id}/peta-\d+\.svg[^\"']*", html)))
        inline = html.count("data:image/svg+xml")

        def page_and_pictures() -> None:
            _get(client, overview)
            for url in pictures:
                _get(client, url.replace("&amp;", "&"))

        return {
            "close": close,
            "rows": html.count("<tr") - 1,
            "bytes": len(html.encode()),
            "pictures": len(pictures) or inline,
            "page": _times(lambda: _get(client, overview), repeat),
            "whole": _times(page_and_pictures, repeat),
            "baseline": _times(lambda: _get(client, "/hr/hasil/"), repeat),
        }


def main(argv: list[str] | None = None) -> int:
    """Build, measure and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "heatmap.md")
    args = parser.parse_args(argv)
    m = measure(args.units, args.responses, args.repeat)

    def fmt(values: list[float]) -> str:
        return f"{min(values):.3f} s / {statistics.median(values):.3f} s"

    base = statistics.median(m["baseline"])
    lines = [
        "# Results overview of a large wave (`bench/heatmap.py`)", "",
        f"{args.units:,} units, {args.responses:,} responses, the three culture instruments "
        f"(13 dimensions), closed for real in {m['close']:.1f} s (SQLite); an admin's requests "
        f"through the test client, {args.repeat} runs. The page has {m['rows']:,} table rows "
        f"({m['bytes']:,} bytes) and {m['pictures']} heatmap pictures.", "",
        "| request | best / median | median / baseline |", "|---|---|---|",
        f"| overview page | {fmt(m['page'])} | {statistics.median(m['page']) / base:.1f} |",
        f"| page and every heatmap picture | {fmt(m['whole'])} | "
        f"{statistics.median(m['whole']) / base:.1f} |",
        f"| baseline: list of waves | {fmt(m['baseline'])} | 1.0 |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
