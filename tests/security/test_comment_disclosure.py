"""Comments never disclosed below 10 and never with a planted identifier (anonymity.md rule 4).

A closed wave: KEC pools K1 (6 respondents) and K2 (5), so its 11 comments are shown; the
small unit SMALL (3) sits alone under ROOT, so its comments are never shown. Every comment
carries planted personal data. The attacker walks every GET page of the app as every role
(the PDFs as text), downloads every export format, aggregated and respondent-level, and reads
the raw database file: no planted identifier appears anywhere, no SMALL comment appears
anywhere, and the KEC comments appear only on the comments page (the control that the walk
reaches them).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Wave
from survey_app.services import check_code, close_wave, create_wave, issue_codes, open_wave
from survey_app.services import store_response as store
from survey_app.services.exports import export_bytes
from survey_app.services.tables import FORMATS
from survey_app.services.users import create_user
from tests.app.test_comments import ANSWERS
from tests.reports.pdftext import pdf_text

from .conftest import CODE_KEY, PASSWORD, ROUTE_VALUES, add_units, login

SQLITE = [pytest.param("sqlite")]
TREE = [("ROOT", None, 0), ("KEC", "ROOT", 0), ("K1", "KEC", 6), ("K2", "KEC", 5),
        ("SMALL", "ROOT", 3)]
PLANTED = ["19850612 201001 1 003", "198506122010011003", "1671031505900001",
           "0812-7788-9900", "+62 813 1111 2222", "budi.santoso@gmail.com", "Hendra",
           "Rahmawati"]


def comment(unit: str, i: int) -> str:
    return (f"Masukan {unit} nomor {i}: Pak Hendra Rahmawati, NIP {PLANTED[i % 2]}, "
            f"NIK {PLANTED[2]}, HP {PLANTED[3 + i % 2]}, e-mail {PLANTED[5]}.")


@pytest.fixture
def wave(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        units = add_units([(c, f"Unit {c}", p, n + 1) for c, p, n in TREE])
        w = create_wave(name="Komentar 2026-Q3", period="2026-Q3",
                        instrument_keys=["tready", "tlearn"],
                        unit_ids=[units[c].id for c, _p, n in TREE if n],
                        opens_on=dt.date(2026, 7, 1), closes_on=dt.date(2026, 7, 30), k=3,
                        actor="test")
        open_wave(w, actor="test")
        codes = {c: [i.code for i in issue_codes(w, units[c], n, key=CODE_KEY, actor="test")]
                 for c, _p, n in TREE if n}
        for role, unit in (("admin", None), ("analyst", None), ("unit_head", "K1"),
                           ("unit_head", "KEC"), ("unit_head", "SMALL")):
            create_user(f"{role}-{unit}".lower(), PASSWORD, role,
                        units[unit].id if unit else None)
        db.session.commit()
        ids = {"wave": w.id, **{c: u.id for c, u in units.items()}}
    for unit, unit_codes in codes.items():
        for i, code in enumerate(unit_codes):
            with app.test_request_context("/isi/survei", method="POST"):
                store(check_code(code), ANSWERS, None, comment(unit, i))
                db.session.commit()
    with app.app_context():
        close_wave(db.session.get(Wave, ids["wave"]), actor="test")
        db.session.commit()
    return ids


def readable(body: bytes, content_type: str) -> str:
    """What a reader sees in a downloaded body: PDF text, the sheets of a zip, or the bytes."""
    if content_type.startswith("application/pdf"):
        return pdf_text(body)
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "\n".join(readable(z.read(n), "") for n in z.namelist())
    return body.decode("utf-8", "replace")


def walk(app, wave_ids) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """Every GET route as every user: user -> {url: what the reader sees}."""
    seen: dict[str, dict[str, str]] = {}
    for user in ("admin-none", "analyst-none", "unit_head-k1", "unit_head-kec",
                 "unit_head-small"):
        client = app.test_client()
        assert login(client, user).status_code == 302
        seen[user] = {}
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            for unit in ("K1", "SMALL", "KEC"):
                values = {**ROUTE_VALUES, "wave_id": wave_ids["wave"], "unit_id": wave_ids[unit]}
                path = rule.rule
                for arg in rule.arguments:
                    path = path.replace(f"<int:{arg}>", str(values[arg])).replace(
                        f"<{arg}>", str(values[arg]))
                if path in seen[user]:
                    continue
                reply = client.get(path)
                assert reply.status_code < 500, path
                seen[user][path] = readable(reply.get_data(), reply.content_type)
    return seen


@pytest.mark.parametrize("backend", SQLITE)
def test_no_page_pdf_or_export_shows_a_small_group_or_a_planted_identifier(app, backend,
                                                                           wave):
    seen = walk(app, wave)
    comments_url = f"/hr/gelombang/{wave['wave']}/komentar"
    with app.app_context():
        w = db.session.get(Wave, wave["wave"])
        for fmt in FORMATS:
            for respondents in (False, True):
                data, _name, _rows = export_bytes(w, fmt, respondents=respondents,
                                                  actor="test")
                seen["admin-none"][f"export {fmt} {respondents}"] = readable(data, "")
        db.session.rollback()
    for user, pages in seen.items():
        for url, text in pages.items():
            for planted in PLANTED:
                assert planted not in text, (user, url, planted)
            assert "Masukan SMALL" not in text, (user, url)
            if "Masukan K" in text:
                assert url == comments_url and user in ("admin-none", "analyst-none",
                                                        "unit_head-kec"), (user, url)
    # the control: the walk reached the comments, redacted
    page = seen["admin-none"][comments_url]
    assert page.count("Masukan K1") == 6 and page.count("Masukan K2") == 5
    assert "Pak [NAMA], NIP [NIP], NIK [NIK], HP [TELEPON], e-mail [EMAIL]." in page
    assert seen["unit_head-k1"][comments_url].count("Masukan") == 0
    pdfs = [url for url in seen["admin-none"] if url.endswith(".pdf")]
    assert len(pdfs) >= 3 and all(seen["admin-none"][u].strip() for u in pdfs)  # read as text


@pytest.mark.parametrize("backend", SQLITE)
def test_the_database_file_holds_no_planted_identifier(app, backend, wave):
    with app.app_context():
        path = Path(db.engine.url.database)  # type: ignore[arg-type]
        n = db.session.scalar(sa.text("SELECT count(*) FROM comment"))
        db.session.rollback()
    assert n == 6 + 5 + 3
    data = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for planted in PLANTED:
        assert planted.encode() not in data, planted
