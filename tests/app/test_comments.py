"""Respondents' comments: the comment box, what is stored, the pooling rule, the HR page,
moderation and themes (services/comments.py, hr/comments.py)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import AuditEntry, Comment, Response, Wave, WaveUnit
from survey_app.services import (
    StoredAnswer,
    check_code,
    close_wave,
    create_wave,
    issue_codes,
    open_wave,
    store_response,
)
from survey_app.services.comments import (
    comment_groups,
    load_themes,
    pooling,
    theme_counts,
    themes_path,
)
from survey_app.services.users import create_user

from .conftest import CODE_KEY, FULL_ANSWERS, add_units, csrf_token
from .helpers import submit

PASSWORD = "correct horse battery"
ANSWERS = [StoredAnswer(c, int(v), 5 if c.startswith("RD") else 6)
           for c, v in FULL_ANSWERS.items()]
# Unit tree of the closed-wave fixture: (code, parent, respondents). KEC pools K1 + K2
# (11 from two units); DIN has one answering unit (D1), so D1 and the small S go up to ROOT
# (15 from two units).
TREE = [("ROOT", None, 0), ("KEC", "ROOT", 0), ("K1", "KEC", 6), ("K2", "KEC", 5),
        ("DIN", "ROOT", 0), ("D1", "DIN", 12), ("S", "ROOT", 3)]


def login(client, username: str):  # type: ignore[no-untyped-def]
    page = client.get("/hr/masuk").get_data(as_text=True)
    return client.post("/hr/masuk", data={"csrf_token": csrf_token(page), "username": username,
                                          "password": PASSWORD})


def make_wave(tree, name: str = "Budaya 2026-Q2", k: int = 3):  # type: ignore[no-untyped-def]
    """An open wave over the tree's answering units, with codes for their respondents."""
    units = add_units([(code, f"Unit {code}", parent, n + 2) for code, parent, n in tree])
    surveyed = [code for code, _p, n in tree if n > 0]
    wave = create_wave(name=name, period="2026-Q2", instrument_keys=["tready", "tlearn"],
                       unit_ids=[units[c].id for c in surveyed],
                       opens_on=dt.date(2026, 4, 1), closes_on=dt.date(2026, 4, 30), k=k,
                       actor="test")
    open_wave(wave, actor="test")
    codes = {c: [i.code for i in issue_codes(wave, units[c], n, key=CODE_KEY, actor="test")]
             for c, _p, n in tree if n > 0}
    db.session.commit()
    return wave, units, codes


def answer_all(app, codes: dict[str, list[str]], comment_of) -> None:  # type: ignore[no-untyped-def]
    """Store every code's response, with `comment_of(unit code, i)` as its comment."""
    for unit, unit_codes in codes.items():
        for i, code in enumerate(unit_codes):
            with app.test_request_context("/isi/survei", method="POST"):
                store_response(check_code(code), ANSWERS, None, comment_of(unit, i))
                db.session.commit()


@pytest.fixture
def closed(app):  # type: ignore[no-untyped-def]
    """The TREE wave, every respondent commenting, closed; users of every role."""
    with app.app_context():
        wave, units, codes = make_wave(TREE)
        create_user("admin", PASSWORD, "admin")
        create_user("analis", PASSWORD, "analyst")
        create_user("kepala_k1", PASSWORD, "unit_head", units["K1"].id)
        create_user("kepala_kec", PASSWORD, "unit_head", units["KEC"].id)
        db.session.commit()
        wave_id = wave.id
        unit_ids = {c: u.id for c, u in units.items()}
    answer_all(app, codes, lambda unit, i: f"Komentar {unit}-{i}: pelatihan kurang, "
                                           f"hubungi 0812-7788-99{i:02d}")
    with app.app_context():
        close_wave(db.session.get(Wave, wave_id), actor="test")
        db.session.commit()
    return {"wave_id": wave_id, "units": unit_ids}


def shown(html: str) -> list[str]:
    return re.findall(r"<q>([^<]*)</q>", html)


# --- the comment box and what is stored ----------------------------------------------------


def test_comment_is_stored_redacted_apart_from_the_response(app, open_wave_codes):
    client = app.test_client()
    code = open_wave_codes["codes"]["A"][0]
    typed = "Pak Budi sering telat, NIP 19850612 201001 1 003, WA 0812-7788-9900."
    reply = submit(client, code, FULL_ANSWERS, comment=typed)
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    assert "Pak [NAMA] sering telat, NIP [NIP], WA [TELEPON]." in page  # the receipt
    with app.app_context():
        rows = db.session.execute(sa.select(Comment)).scalars().all()
        assert [(c.text, c.unit_id, c.hidden) for c in rows] == [
            ("Pak [NAMA] sering telat, NIP [NIP], WA [TELEPON].",
             open_wave_codes["unit_ids"]["A"], False)]
        assert set(Comment.__table__.c.keys()) == {"id", "wave_id", "unit_id", "text", "hidden"}
        (response_id,) = db.session.scalars(sa.select(Response.id))
        assert rows[0].id != response_id
        path = Path(db.engine.url.database) if db.engine.dialect.name == "sqlite" else None
        db.session.rollback()
    if path is not None:
        data = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        for secret in (b"Budi", b"19850612", b"7788-9900"):
            assert secret not in data


def test_concurrent_comments_of_one_unit_are_both_stored(app, open_wave_codes):
    """While one submission's rewrite of the unit's comments is uncommitted, a second one
    waits for it instead of re-inserting the same old rows (a duplicate key)."""
    import threading

    codes = open_wave_codes["codes"]["A"]
    answer_all(app, {"A": codes[:1]}, lambda unit, i: "yang pertama")
    started, results = threading.Event(), {}

    def first() -> None:
        with app.test_request_context("/isi/survei", method="POST"):
            store_response(check_code(codes[1]), ANSWERS, None, "yang kedua")
            started.set()
            threading.Event().wait(0.5)  # the second submission runs meanwhile
            db.session.commit()

    def second() -> None:
        started.wait(5)
        try:
            with app.test_request_context("/isi/survei", method="POST"):
                store_response(check_code(codes[2]), ANSWERS, None, "yang ketiga")
                db.session.commit()
                results["second"] = "stored"
        except Exception as exc:  # noqa: BLE001  (the failure is what the test reports)
            results["second"] = repr(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == {"second": "stored"}
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(Comment.text))) == [
            "yang kedua", "yang ketiga", "yang pertama"]


def test_an_empty_comment_stores_nothing(app, open_wave_codes):
    client = app.test_client()
    assert submit(client, open_wave_codes["codes"]["A"][0], FULL_ANSWERS,
                  comment="  \n ").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_a_too_long_comment_is_refused_and_kept(app, open_wave_codes):
    client = app.test_client()
    typed = "Terlalu panjang. " * 70  # 1,190 characters
    reply = submit(client, open_wave_codes["codes"]["A"][0], FULL_ANSWERS, comment=typed,
                   page="2", go="send")
    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert "Komentar terlalu panjang" in page
    assert typed.strip() in page  # what was typed is still in the textarea
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


def test_line_breaks_count_once_as_the_browser_counts_them(app, open_wave_codes):
    client = app.test_client()
    typed = "baris\r\n" * 165 + "akhir"  # 995 characters with "\n", 1,160 with "\r\n"
    assert submit(client, open_wave_codes["codes"]["A"][0], FULL_ANSWERS,
                  comment=typed).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(Comment.text)) == typed.replace("\r\n", "\n")


def test_the_last_page_has_the_box_and_says_what_happens(app, open_wave_codes):
    client = app.test_client()
    reply = submit(client, open_wave_codes["codes"]["A"][0], FULL_ANSWERS, page="1", go="next")
    page = reply.get_data(as_text=True)
    assert '<textarea name="comment"' in page and 'maxlength="1000"' in page
    assert "sedikitnya 10 responden" in page
    # Back from the last page: the comment travels in a hidden field, not in the phone's store
    reply = submit(client, open_wave_codes["codes"]["A"][0], FULL_ANSWERS, page="2",
                   go="back", comment="simpan ini")
    page = reply.get_data(as_text=True)
    assert '<input type="hidden" name="comment" value="simpan ini">' in page


# --- the pooling rule ----------------------------------------------------------------------


def test_pooling_follows_the_rule(app, closed):
    with app.app_context():
        wave = db.session.get(Wave, closed["wave_id"])
        by_code = {u.code: u.position for u in db.session.scalars(
            sa.select(WaveUnit).where(WaveUnit.wave_id == wave.id))}
        group = pooling(wave)
    assert group[by_code["K1"]] == group[by_code["K2"]] == by_code["KEC"]
    assert group[by_code["D1"]] == group[by_code["S"]] == by_code["ROOT"]


def test_a_lone_large_unit_and_a_tree_below_ten_show_nothing(app):
    with app.app_context():
        wave, _units, codes = make_wave([("ROOT", None, 0), ("A", "ROOT", 12)], "Satu unit")
        wave_id = wave.id
    answer_all(app, codes, lambda unit, i: f"komentar {i}")
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        close_wave(wave, actor="test")
        db.session.commit()
        assert pooling(wave) == {}  # one answering unit: never a group of its own
        assert comment_groups(wave) == []


# --- the HR page ---------------------------------------------------------------------------


def test_hr_sees_pooled_groups_without_dates_in_a_fresh_order(app, closed):
    client = app.test_client()
    assert login(client, "analis").status_code == 302
    url = f"/hr/gelombang/{closed['wave_id']}/komentar"
    first = client.get(url).get_data(as_text=True)
    texts = shown(first)
    assert len(texts) == 6 + 5 + 12 + 3
    assert all("[TELEPON]" in t and "0812" not in t for t in texts)
    assert "Kelompok: Unit KEC" in first and "Kelompok: Unit ROOT" in first
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}", first)
    orders = {tuple(shown(client.get(url).get_data(as_text=True))) for _ in range(3)}
    assert len(orders | {tuple(texts)}) > 1  # 26! orders: the same twice is practically nil
    assert "Belajar berkelanjutan" in first  # the theme of "pelatihan"


def test_a_unit_head_sees_only_groups_inside_the_subtree(app, closed):
    client = app.test_client()
    url = f"/hr/gelombang/{closed['wave_id']}/komentar"
    assert login(client, "kepala_k1").status_code == 302
    assert shown(client.get(url).get_data(as_text=True)) == []  # K1 (6) never sees its own
    client = app.test_client()
    assert login(client, "kepala_kec").status_code == 302
    texts = shown(client.get(url).get_data(as_text=True))
    assert len(texts) == 11 and all(t.startswith(("Komentar K1", "Komentar K2")) for t in texts)


def test_an_open_wave_shows_no_comments(app, open_wave_codes):
    with app.app_context():
        create_user("admin", PASSWORD, "admin")
        db.session.commit()
    client = app.test_client()
    assert login(client, "admin").status_code == 302
    assert client.get(f"/hr/gelombang/{open_wave_codes['wave_id']}/komentar").status_code == 409


def test_hiding_is_audited_and_never_an_edit(app, closed):
    client = app.test_client()
    assert login(client, "admin").status_code == 302
    url = f"/hr/gelombang/{closed['wave_id']}/komentar"
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'<q>(Komentar K1-0:[^<]*)</q>.*?name="comment" value="([0-9a-f-]+)"',
                      page, re.S)
    assert match
    text, target = match.groups()
    reply = client.post(f"{url}/sembunyikan", data={"csrf_token": csrf_token(page),
                                                    "comment": target})
    assert reply.status_code == 302
    with app.app_context():
        comment = db.session.get(Comment, uuid.UUID(target))
        assert comment is not None and comment.hidden and comment.text == text
        assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc())
                                 .limit(1)) == "comment.hide"
        # the database refuses to change a closed wave's comment text
        with pytest.raises(sa.exc.DBAPIError, match="closed"):
            db.session.execute(sa.update(Comment).values(text="diubah"))
        db.session.rollback()
    assert client.get("/hr/audit").get_data(as_text=True).count("Menyembunyikan satu") == 1
    page = client.get(url).get_data(as_text=True)
    assert "Disembunyikan:" in page  # the moderator still sees it, marked
    head = app.test_client()
    assert login(head, "kepala_kec").status_code == 302
    head_page = head.get(url).get_data(as_text=True)
    assert len(shown(head_page)) == 10 and text not in shown(head_page)
    # a unit head cannot moderate
    reply = head.post(f"{url}/tampilkan", data={"csrf_token": csrf_token(head_page),
                                                "comment": target})
    assert reply.status_code == 403


def test_themes_count_keywords_with_affixes():
    themes = load_themes(themes_path("/nonexistent"))
    counts = {t.code: n for t, n in theme_counts(themes, [
        "Pelatihan jarang sekali.", "Petugas kasar, antrean lama.", "Ada acara bagus."])}
    assert counts == {"LC-CL": 1, "SKM-U7": 1, "SKM-U2": 1, "SKM-U3": 1}


def test_the_instance_keyword_map_replaces_the_shipped_one(tmp_path):
    own = tmp_path / "comment_themes.json"
    own.write_text('[{"code": "X", "name_id": "Parkir", "name_en": "Parking", '
                   '"keywords": ["parkir"]}]', encoding="utf-8")
    themes = load_themes(themes_path(str(tmp_path)))
    assert [(t.code, n) for t, n in theme_counts(themes, ["Tempat parkir sempit"])] == [("X", 1)]


def test_names_of_the_roster_file_are_removed_and_a_bad_file_loses_no_submission(
        app, open_wave_codes):
    roster = Path(app.instance_path) / "roster.csv"
    roster.parent.mkdir(parents=True, exist_ok=True)
    roster.write_text("unit_code,name\nA,Suryani Hartono\nB,Bagus\n", encoding="utf-8")
    codes = open_wave_codes["codes"]["A"]
    page = submit(app.test_client(), codes[0], FULL_ANSWERS,
                  comment="suryani hartono selalu membantu; layanannya bagus").get_data(
        as_text=True)
    # a roster name in any case; an everyday word of the roster only as part of a whole name
    assert "[NAMA] selalu membantu; layanannya bagus" in page
    roster.write_bytes(b"\xff\xfe not a roster")  # unreadable: the patterns still apply
    reply = submit(app.test_client(), codes[1], FULL_ANSWERS, comment="Hubungi 0812-7788-9900")
    assert reply.status_code == 200 and "Hubungi [TELEPON]" in reply.get_data(as_text=True)
    with app.app_context():
        texts = sorted(db.session.scalars(sa.select(Comment.text)))
    assert texts == ["Hubungi [TELEPON]", "[NAMA] selalu membantu; layanannya bagus"]


def test_a_configured_roster_file_that_is_missing_is_refused_at_start(tmp_path):
    from survey_app import create_app

    with pytest.raises(ValueError, match="LENTERA_ROSTER_FILE"):
        create_app({"SECRET_KEY": "x", "LENTERA_CODE_KEY": "y",
                    "LENTERA_INSTANCE_PATH": str(tmp_path),
                    "LENTERA_ROSTER_FILE": str(tmp_path / "missing.csv")})
