"""The respondent flow end to end, with CSRF on, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.instrument_store import get_instrument
from survey_app.models import Answer, Response, Wave
from survey_app.services import AnswersInvalid, close_wave, validate_answers

from .conftest import FULL_ANSWERS, csrf_token
from .helpers import counts, submit, token


def test_whole_flow_stores_one_response_and_shows_receipt(app, client, open_wave_codes):
    code = open_wave_codes["codes"]["A"][0]
    page = client.post("/isi", data={"csrf_token": token(client), "code": code})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Apa yang disimpan dan apa yang tidak" in html
    assert "sedikitnya 3 responden" in html
    survey = client.post("/isi/survei", data={"csrf_token": csrf_token(html), "code": code})
    html = survey.get_data(as_text=True)
    # One instrument a page (tests/app/test_paged.py walks the pages): tready's 5-point
    # items first, tlearn's 6-point items carried in hidden fields.
    assert "Bagian 1 dari 2" in html and "Bagian 2 dari 2" not in html
    assert html.count('type="radio" name="RD11"') == 5
    assert html.count('name="LC11"') == 1 and 'type="radio" name="LC11"' not in html
    # A POST of every answer at once (no page, no button) is the final one.
    done = client.post("/isi/survei", data={"csrf_token": csrf_token(html), "code": code,
                                            "answers": "1", "cut": "fungsional", **FULL_ANSWERS})
    receipt = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "Tanda terima" in receipt and "Unit A" in receipt and "fungsional" in receipt
    assert "Pernyataan RD11" in receipt and "4 · opsi 4" in receipt
    assert code not in receipt
    assert counts(app) == (1, 7, 1)
    with app.app_context():
        response = db.session.scalar(sa.select(Response))
        assert response.unit_id == open_wave_codes["unit_ids"]["A"]
        assert response.cut == "fungsional"
        stored = {code: (value, points) for code, value, points in db.session.execute(
            sa.select(Answer.item_code, Answer.value, Answer.points))}
    # Two scale lengths (tready 5 points, tlearn 6): each answer keeps its own scale's A.
    assert stored == {k: (int(v), 5 if k.startswith("RD") else 6) for k, v in FULL_ANSWERS.items()}


def test_code_is_normalised_from_typed_text(app, client, open_wave_codes):
    code = open_wave_codes["codes"]["B"][1]
    typed = " " + code.lower().replace("-", " ") + " "
    assert submit(client, typed, FULL_ANSWERS).status_code == 200
    assert counts(app) == (1, 7, 1)


def test_reused_code_is_refused_and_nothing_stored_twice(app, client, open_wave_codes):
    code = open_wave_codes["codes"]["A"][0]
    assert submit(client, code, FULL_ANSWERS).status_code == 200
    again = submit(client, code, {**FULL_ANSWERS, "RD11": "1"})
    assert again.status_code == 409
    assert "sudah dipakai" in again.get_data(as_text=True)
    entry = client.post("/isi", data={"csrf_token": token(client), "code": code})
    assert "sudah dipakai" in entry.get_data(as_text=True)
    assert counts(app) == (1, 7, 1)


def test_bad_and_unknown_codes_are_refused(app, client, open_wave_codes):
    for text, status in (("ABC", 422), ("2222-2222-2222", 422), ("", 400)):
        r = client.post("/isi", data={"csrf_token": token(client), "code": text})
        assert r.status_code == status
        assert "Kode tidak dikenali" in r.get_data(as_text=True) or status == 400
    r = submit(client, "2222-3333-4444", FULL_ANSWERS)
    assert r.status_code == 409 and "Kode tidak dikenali" in r.get_data(as_text=True)
    assert counts(app) == (0, 0, 0)


def test_closed_wave_refuses_and_stores_nothing(app, client, open_wave_codes):
    with app.app_context():
        close_wave(db.session.get(Wave, open_wave_codes["wave_id"]), actor="test")
        db.session.commit()
    r = submit(client, open_wave_codes["codes"]["A"][0], FULL_ANSWERS)
    assert r.status_code == 409
    # Closing deleted the wave's code rows (services/storage.py): its codes are unknown now.
    assert "Kode tidak dikenali" in r.get_data(as_text=True)
    assert counts(app) == (0, 0, 0)


def test_out_of_range_answer_keeps_other_answers(app, client, open_wave_codes):
    code = open_wave_codes["codes"]["A"][0]
    r = submit(client, code, {**FULL_ANSWERS, "RD11": "9", "LC11": "0"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    # The first page with an error, with that page's errors; the other answers are kept.
    assert "Bagian 1 dari 2" in html and "1 isian perlu diperbaiki" in html
    assert 'name="RD12" value="2" checked' in html
    assert '<input type="hidden" name="LC13" value="1" data-a>' in html
    assert '<input type="hidden" name="LC11" value="0" data-a>' in html
    assert "Pilih salah satu jawaban yang tersedia." in html
    assert counts(app) == (0, 0, 0)
    # The code still works after the respondent corrects the answer.
    assert submit(client, code, FULL_ANSWERS).status_code == 200
    assert counts(app) == (1, 7, 1)


def test_missing_answers_are_named_and_nothing_stored(app, client, open_wave_codes):
    partial = {k: v for k, v in FULL_ANSWERS.items() if k not in ("RD21", "LC12")}
    r = submit(client, open_wave_codes["codes"]["A"][0], partial)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    # The first page with a missing answer (page 1: RD21), then page 2's (LC12).
    assert "Bagian 1 dari 2" in html
    assert html.count("Pertanyaan ini belum dijawab.") == 1
    assert 'class="q bad" id="q-RD21"' in html
    assert '<a href="#q-RD21">3</a></p>' in html  # a numbered link to it
    assert 'name="RD11" value="4" checked' in html
    assert counts(app) == (0, 0, 0)
    # Assistive technology: each required question says so, an unanswered one is invalid and
    # described by its message, and the summary that links to them takes the focus.
    assert html.count('aria-required="true"') == 4
    assert ('id="q-RD21" role="radiogroup" aria-required="true" aria-invalid="true" '
            'aria-describedby="e-RD21"') in html
    assert '<p class="msg" id="e-RD21">Pertanyaan ini belum dijawab.</p>' in html
    assert html.count('aria-invalid="true"') == 1
    assert 'id="error-summary" tabindex="-1" autofocus' in html
    fixed = {**partial, "RD21": "5"}
    r = submit(client, open_wave_codes["codes"]["A"][0], fixed)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Bagian 2 dari 2" in html
    assert '<a href="#q-LC12">6</a></p>' in html and 'aria-invalid="true"' in html
    assert counts(app) == (0, 0, 0)


@pytest.mark.parametrize(("sent", "stored"), [
    ("4", 4), (" 4 ", 4), ("04", 4), ("5", 5),  # what browsers send, and typed variants
    ("6", None), ("0", None), ("-1", None), ("4.0", None), ("⁴", None), ("9" * 5000, None),
])
def test_answer_values_are_read_exactly(app, sent, stored):
    with app.app_context():
        instruments = [get_instrument("tready")]
    form = {"RD11": sent, "RD12": "2", "RD21": "5", "RD22": "1"}
    if stored is None:
        with pytest.raises(AnswersInvalid) as refused:
            validate_answers(instruments, None, form)
        assert refused.value.errors == {"RD11": "range"}
    else:
        answers, _cut = validate_answers(instruments, None, form)
        assert (answers[0].item_code, answers[0].value, answers[0].points) == ("RD11", stored, 5)


def test_non_numeric_answer_is_an_error(app, client, open_wave_codes):
    r = submit(client, open_wave_codes["codes"]["A"][0], {**FULL_ANSWERS, "RD11": "4; DROP"})
    assert r.status_code == 422
    assert counts(app) == (0, 0, 0)


def test_tampered_fields_are_refused(app, client, open_wave_codes):
    code = open_wave_codes["codes"]["A"][0]
    forged_unit = open_wave_codes["unit_ids"]["B"]
    r = submit(client, code, FULL_ANSWERS, unit_id=str(forged_unit))
    assert r.status_code == 400
    assert "tidak dikenal (unit_id)" in r.get_data(as_text=True)
    r = submit(client, code, FULL_ANSWERS, cut="kepala-dinas")
    assert r.status_code == 422
    assert counts(app) == (0, 0, 0)


def test_missing_csrf_token_stores_nothing(app, client, open_wave_codes):
    data = {"code": open_wave_codes["codes"]["A"][0], "answers": "1", **FULL_ANSWERS}
    r = client.post("/isi/survei", data=data)
    assert r.status_code == 400
    assert counts(app) == (0, 0, 0)


def test_english_is_available(app, client, open_wave_codes):
    html = client.get("/isi?lang=en").get_data(as_text=True)
    assert "Participation code" in html and 'lang="en"' in html
    # The choice is kept for the rest of the visit.
    assert "Participation code" in client.get("/isi").get_data(as_text=True)
    html = submit(client, open_wave_codes["codes"]["A"][0], FULL_ANSWERS).get_data(as_text=True)
    assert "Pernyataan RD11 (en)" in html and "Receipt" in html
    assert "<th>Survey</th>" in html  # one wave, not "Waves"


def _switch(html: str) -> tuple[str, str]:
    """The form action of the page's language switch, and the language it switches to."""
    import re

    found = re.search(r'<button type="submit" form="(\w+)" class="langlink" name="relang" '
                      r'value="1" formaction="([^"]+)"', html)
    assert found, "no language switch on the page"
    return found[2].replace("&amp;", "&"), found[2].rsplit("=", 1)[1]


def test_switching_language_keeps_the_code_and_every_answer_and_stores_nothing(
        app, client, open_wave_codes):
    code = open_wave_codes["codes"]["A"][0]
    intro = client.post("/isi", data={"csrf_token": token(client), "code": code})
    action, lang = _switch(intro.get_data(as_text=True))
    assert (action, lang) == ("/isi?lang=en", "en")
    html = client.post(action, data={"csrf_token": csrf_token(intro.get_data(as_text=True)),
                                     "code": code, "relang": "1"}).get_data(as_text=True)
    assert "Start" in html and code in html  # the privacy page again, in English, same code
    assert "7 questions, about 2 minutes" in html  # 4 + 3 items at 10 s each, rounded up
    page = client.post("/isi/survei", data={"csrf_token": csrf_token(html), "code": code})
    action, lang = _switch(page.get_data(as_text=True))
    assert action == "/isi/survei?lang=id"
    half = dict(list(FULL_ANSWERS.items())[:3])
    switched = client.post(action, data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                         "code": code, "answers": "1", "relang": "1", **half})
    body = switched.get_data(as_text=True)
    assert switched.status_code == 200 and "Bagian 1 dari 2" in body and "alert" not in body
    for item, value in half.items():
        assert f'name="{item}" value="{value}" checked' in body
    assert counts(app) == (0, 0, 0)  # nothing stored by the switch
    done = client.post("/isi/survei", data={"csrf_token": csrf_token(body), "code": code,
                                            "answers": "1", **FULL_ANSWERS})
    assert "Tanda terima" in done.get_data(as_text=True) and counts(app)[0] == 1
    # The receipt answers only a POST: its switch leads to the start page, never to a 405.
    assert 'class="langlink" href="/isi?lang=en"' in done.get_data(as_text=True)


def test_respond_pages_are_not_cached_and_carry_no_referrer(client, open_wave_codes):
    r = client.get("/isi")
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["Referrer-Policy"] == "no-referrer"


def test_pages_allow_only_same_origin_resources(client):
    csp = client.get("/isi").headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    html = client.get("/isi").get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html  # nothing inline for CSP to block


def test_code_entry_reads_without_waiting_for_the_sqlite_write_lock(app, client,
                                                                    open_wave_codes, backend):
    """A respond POST reads before it writes: another writer holding SQLite's lock (HR
    issuing codes, a checkpoint) must not stall it. With BEGIN IMMEDIATE for the reads it
    would wait out the 30 s busy timeout."""
    if backend != "sqlite":
        pytest.skip("SQLite only: PostgreSQL writers do not share one lock")
    import sqlite3
    import threading

    code = open_wave_codes["codes"]["A"][0]
    form = token(client)
    with app.app_context():
        path = db.engine.url.database
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, held until the end of the test
    result: dict[str, int] = {}
    worker = threading.Thread(target=lambda: result.setdefault(
        "status", client.post("/isi", data={"csrf_token": form, "code": code}).status_code))
    try:
        worker.start()
        worker.join(timeout=5)
        assert not worker.is_alive(), "code entry waited for the write lock"
        assert result["status"] == 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        worker.join()
    assert counts(app) == (0, 0, 0)


def test_a_store_that_fails_midway_stores_nothing_and_keeps_the_code(app, client,
                                                                    open_wave_codes):
    """The store is one transaction: an answer the database refuses (value above the scale's
    A, past validation) undoes the mark and the response, and the code still works."""
    from survey_app.services import check_code, store_response
    from survey_app.services.responses import StoredAnswer

    code = open_wave_codes["codes"]["A"][0]
    with app.test_request_context("/isi/survei", method="POST"):
        info = check_code(code)
        with pytest.raises(Exception, match="(?i)constraint|value_range"):
            store_response(info, [StoredAnswer("RD11", 3, 5), StoredAnswer("RD12", 9, 5)],
                           None)
    assert counts(app) == (0, 0, 0)
    assert submit(client, code, FULL_ANSWERS).status_code == 200
    assert counts(app) == (1, 7, 1)


def test_respond_connections_go_back_to_the_pool_ready_for_transactions(app, open_wave_codes,
                                                                       tmp_path):
    """The respond views use a pooled DBAPI connection in autocommit mode. With a pool of one
    connection, HR's ORM transactions after each kind of respond request run on that very
    connection: a rollback must still undo their writes (it would not if autocommit stayed
    on), and no request may wait for a second connection."""
    from survey_app import create_app
    from survey_app.models import Unit

    from .conftest import app_config

    one = create_app({**app_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "one"),
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0,
                                                    "pool_timeout": 5}})
    client = one.test_client()
    codes = open_wave_codes["codes"]["A"]

    def rollback_undoes_a_write() -> bool:
        with one.app_context():
            db.session.add(Unit(code="ROLLBACK", name="x", headcount=0))
            db.session.flush()
            db.session.rollback()
            return db.session.scalar(sa.select(sa.func.count()).select_from(Unit)
                                     .where(Unit.code == "ROLLBACK")) == 0

    try:
        assert submit(client, codes[0], FULL_ANSWERS).status_code == 200  # stored
        assert rollback_undoes_a_write()
        assert submit(client, codes[0], FULL_ANSWERS).status_code == 409  # refused, counted
        assert rollback_undoes_a_write()
        assert submit(client, codes[1], {"RD11": "9"}).status_code == 422  # invalid answers
        assert rollback_undoes_a_write()
        assert client.post("/isi/survei", data={"csrf_token": token(client),
                                                "code": codes[1]}).status_code == 200  # survey
        assert rollback_undoes_a_write()
    finally:
        with one.app_context():
            db.engine.dispose()
    assert counts(app) == (1, 7, 1)


def test_an_expired_form_token_keeps_every_answer_to_send_again(app, client, open_wave_codes):
    """A survey page left open past its form token: 400, nothing stored, all answers kept."""
    import re

    code = open_wave_codes["codes"]["A"][0]
    token(client)  # a session with a form token, which the old page no longer matches
    r = client.post("/isi/survei", data={"csrf_token": "expired", "code": code, "answers": "1",
                                         **FULL_ANSWERS})
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "kedaluwarsa" in page and "Kirim lagi" in page
    assert counts(app) == (0, 0, 0)
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    assert kept == {"code": code, "answers": "1", **FULL_ANSWERS}
    again = client.post("/isi/survei", data={"csrf_token": csrf_token(page), **kept})
    assert again.status_code == 200 and "Tanda terima" in again.get_data(as_text=True)
    assert counts(app)[0] == 1
    # any other respondent form still gets the plain error page
    other = client.post("/isi", data={"csrf_token": "expired", "code": code})
    assert other.status_code == 400 and "Kirim lagi" not in other.get_data(as_text=True)
