"""The form generated from the shipped instrument files: all items, answerable, light."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest
import sqlalchemy as sa

from instruments import load_instrument
from survey_app.extensions import db
from survey_app.services import create_wave, issue_codes, open_wave

from .conftest import CODE_KEY, add_units, csrf_token
from .helpers import counts, token

CULTURE = ["resistance", "readiness", "learning"]
# Budget for the survey page on a slow phone connection (gzip, as a proxy would send it).
MAX_GZIP_BYTES = 15_000


# The form does not depend on the database: SQLite is enough here.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
def shipped_wave(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        units = add_units([("ROOT", "Pemkot", None, 0), ("A", "Unit A", "ROOT", 5)])
        wave = create_wave(name="Budaya 2026-Q1", period="2026-Q1", instrument_keys=CULTURE,
                           unit_ids=[units["A"].id], opens_on=dt.date(2026, 1, 5),
                           closes_on=dt.date(2026, 1, 30), cut="jabatan", actor="t")
        open_wave(wave, actor="t")
        code = issue_codes(wave, units["A"], 1, key=CODE_KEY, actor="t")[0].code
        db.session.commit()
        return code, wave.instrument_keys


def _answers() -> dict[str, str]:
    answers = {}
    for ident in CULTURE:
        for scale in load_instrument(ident).scales:
            answers.update({item.code: str(scale.points) for item in scale.items})
    return answers


def test_survey_from_shipped_files_is_complete_light_and_answerable(app, client,
                                                                     shipped_wave):
    code, keys = shipped_wave
    assert keys == ["resistance@1.0", "readiness@1.0", "learning@1.0"]
    answers = _answers()
    page = client.post("/isi/survei", data={"csrf_token": token(client), "code": code})
    html = page.get_data(as_text=True)
    assert "Bagian 1 dari 5" in html  # the first page (tests/app/test_paged.py: each page)
    for item_code in answers:
        assert f'name="{item_code}"' in html
    assert len(answers) == 50
    size = len(gzip.compress(page.data))
    with client.get("/static/lentera.css") as static:
        css = static.data
    assert size + len(gzip.compress(css)) < MAX_GZIP_BYTES, size
    done = client.post("/isi/survei", data={"csrf_token": csrf_token(html), "code": code,
                                            "answers": "1", **answers})
    assert done.status_code == 200
    assert counts(app) == (1, 50, 1)


def test_skm_respondent_questions_are_optional(app, client):
    skm = load_instrument("skm")
    with app.app_context():
        units = add_units([("PKM", "Puskesmas", None, 0)])
        wave = create_wave(name="SKM 2026", period="2026", instrument_keys=["skm"],
                           unit_ids=[units["PKM"].id], opens_on=dt.date(2026, 9, 1),
                           closes_on=dt.date(2026, 9, 30), actor="t")
        open_wave(wave, actor="t")
        code = issue_codes(wave, units["PKM"], 1, key=CODE_KEY, actor="t")[0].code
        db.session.commit()
    answers = {item.code: "3" for item in skm.items}
    first_q = skm.respondent_questions[0].code
    r = client.post("/isi/survei", data={"csrf_token": token(client), "code": code,
                                         "answers": "1", **answers, first_q: "2"})
    assert r.status_code == 200
    assert counts(app) == (1, 10, 1)
    with app.app_context():
        from survey_app.models import Answer

        assert db.session.scalar(sa.select(Answer.value).where(Answer.item_code == first_q)) == 2
