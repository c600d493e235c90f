"""The paged survey on a slow phone network: each page's bytes on the wire and the whole
survey's time at 400 kbit/s and 400 ms round-trip latency, with the number of round trips.

The real app (shipped culture instruments, a temporary SQLite database) is walked from the code
form to the receipt, as a browser would: GET /isi, POST /isi (what is stored), the five survey
pages (Next with every answer of the page) and the final send, once without Accept-Encoding,
once with gzip and once with br. Each response is counted as served: status line, headers and
body as the app compresses it; each request as its body plus the headers the client sent and
`BROWSER_HEADERS` bytes for those a phone's browser adds (user agent, accept lines).

The time model, per exchange: one round trip plus (request + response bytes) x 8 / 400 kbit/s,
the link shared by both directions (a pessimistic model of a 2G/3G phone); one more round trip
for the TCP handshake and one for TLS 1.3 at the start; no slow-start or loss. Static files:
`lentera.css` and the page's scripts are fetched once (in parallel, one round trip); served
with a max-age (SEND_FILE_MAX_AGE_DEFAULT) they are not asked for again, without one they are
revalidated with a 304 on every later page, one more round trip a page.

    .venv/bin/python -m bench.pages      # prints Markdown; bench/README.md holds the figures
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import urllib.parse
from pathlib import Path

RATE = 400_000  # bit/s
RTT = 0.4  # s
BROWSER_HEADERS = 450  # bytes a phone's browser adds to every request
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
RADIO = re.compile(r'<input type="radio" name="([^"]+)" value="([^"]*)"')


def _wire(response) -> int:  # type: ignore[no-untyped-def]
    """Bytes of a response as served: status line, headers, body."""
    head = f"HTTP/1.1 {response.status}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in response.headers.items()) + "\r\n"
    return len(head.encode()) + len(response.get_data())


def _request(path: str, body: dict[str, str] | None, cookie: str) -> int:
    data = urllib.parse.urlencode(body or {})
    return len(f"{'POST' if body else 'GET'} {path} HTTP/1.1\r\nCookie: {cookie}\r\n") + \
        BROWSER_HEADERS + len(data)


def _find(pattern: re.Pattern[str] | str, html: str) -> str:
    """The first group of `pattern` in `html`; the run stops if the page lacks it."""
    found = re.search(pattern, html)
    if found is None:
        raise SystemExit(f"no {pattern} in the page")
    return found[1]


def _text(response) -> str:  # type: ignore[no-untyped-def]
    data, encoding = response.get_data(), response.headers.get("Content-Encoding")
    if encoding == "gzip":
        import gzip

        data = gzip.decompress(data)
    elif encoding == "br":
        import brotli  # type: ignore[import-untyped]

        data = brotli.decompress(data)
    return str(data.decode())


def walk(app, code: str, accept: str) -> list[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    """(step, request bytes, response bytes) from the code form to the receipt."""
    client = app.test_client()
    headers = {"Accept-Encoding": accept} if accept else {}
    steps = []

    def exchange(name: str, path: str, body: dict[str, str] | None) -> str:
        cookie = client.get_cookie("session")
        sent = _request(path, body, f"session={cookie.value}" if cookie else "")
        r = client.post(path, data=body, headers=headers) if body is not None \
            else client.get(path, headers=headers)
        if r.status_code != 200:
            raise SystemExit(f"{name}: HTTP {r.status_code}")
        steps.append((name, sent, _wire(r)))
        return _text(r)

    html = exchange("code form (GET /isi)", "/isi", None)
    html = exchange("what is stored (POST /isi)", "/isi",
                    {"csrf_token": _find(TOKEN, html), "code": code})
    body = {"csrf_token": _find(TOKEN, html), "code": code,
            "entry": _find(r'name="entry" value="([^"]+)"', html)}
    html = exchange("survey page 1", "/isi/survei", body)
    for number in range(1, 6):
        form = dict(HIDDEN.findall(html))
        form["csrf_token"] = _find(TOKEN, html)
        radios = {name for name, _ in RADIO.findall(html)}
        form.update({name: "fungsional" if name == "cut" else "2" for name in radios})
        last = number == 5
        html = exchange("receipt (send)" if last else f"survey page {number + 1}",
                        "/isi/survei", {**form, "go": "send" if last else "next"})
    if "Tanda terima" not in html:
        raise SystemExit("the walk did not reach the receipt")
    return steps


def _static(app) -> tuple[dict[str, int], str]:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sizes, control = {}, ""
    for name in ("lentera.css", "isi.js", "survey.js"):
        r = client.get(f"/static/{name}")
        sizes[name] = _wire(r)
        control = r.headers.get("Cache-Control", "")
        r.close()
    return sizes, control


def seconds(nbytes: int, trips: int) -> float:
    """The time model of the module docstring."""
    return trips * RTT + nbytes * 8 / RATE


def main() -> None:
    """Walk the survey three times (plain, gzip, br) and print the figures as Markdown."""
    from survey_app import create_app
    from survey_app.database import upgrade_schema
    from survey_app.extensions import db
    from survey_app.models import Unit
    from survey_app.services import create_wave, issue_codes, open_wave

    tmp = Path(tempfile.mkdtemp())
    app = create_app({"LENTERA_INSTANCE_PATH": str(tmp), "SECRET_KEY": "bench",
                      "DATABASE_URL": f"sqlite:///{tmp / 'pages.db'}",
                      "LENTERA_CODE_KEY": "bench-key"})
    upgrade_schema(app)
    with app.app_context():
        unit = Unit(code="PLJ", name="Kecamatan Plaju", headcount=3)
        db.session.add(unit)
        db.session.flush()
        wave = create_wave(name="Budaya kerja 2026-Q1", period="2026-Q1",
                           instrument_keys=["resistance", "readiness", "learning"],
                           unit_ids=[unit.id], opens_on=dt.date(2026, 1, 5),
                           closes_on=dt.date(2026, 1, 30), cut="jabatan", actor="bench")
        open_wave(wave, actor="bench")
        codes = [c.code for c in issue_codes(wave, unit, 3, key="bench-key", actor="bench")]
        db.session.commit()
    walks = {accept or "none": walk(app, code, accept)
             for accept, code in zip(("", "gzip", "br"), codes, strict=True)}
    static, control = _static(app)
    print(f"Static files: lentera.css {static['lentera.css']:,} B, isi.js "
          f"{static['isi.js']:,} B, survey.js {static['survey.js']:,} B as served "
          f"(uncompressed; Cache-Control: {control or 'none'}).\n")
    print("| step | request B | response B: none | gzip | br |")
    print("|---|---:|---:|---:|---:|")
    for i, (name, sent, _) in enumerate(walks["br"]):
        print(f"| {name} | {sent:,} | " + " | ".join(
            f"{walks[a][i][2]:,}" for a in ("none", "gzip", "br")) + " |")
    for accept in ("gzip", "br"):
        steps = walks[accept]
        exchanges = len(steps)
        moved = sum(s + r for _, s, r in steps)
        first_static = static["lentera.css"] + static["isi.js"] + static["survey.js"]
        # without a max-age every page after the first revalidates its CSS/JS (a 304 each)
        revalidations = 0 if "max-age" in control else exchanges - 1
        trips = 2 + exchanges + 1 + revalidations
        served = seconds(moved + first_static + revalidations * 2 * 250, trips)
        print(f"\n{accept}: {exchanges} page exchanges, {moved:,} B moved by them; whole "
              f"survey (code form to receipt) {served:.1f} s with {trips} round trips "
              f"({revalidations} of them revalidating the static files); the survey pages "
              f"alone (5 pages and the receipt): "
              f"{seconds(sum(s + r for _, s, r in steps[2:]), len(steps[2:])):.1f} s.")


if __name__ == "__main__":
    main()
