"""Rate limits: login per address, account lockout, code entry per address; shared storage
(database on SQLite/PostgreSQL, or Redis) and no raw address stored."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa

from survey_app import create_app
from survey_app.extensions import db
from survey_app.ops.ratelimit import DatabaseStore, RedisStore, get_store, keyed

from .conftest import FULL_ANSWERS, REDIS_URL, client_at, csrf_token, enter_code, login


def _use_redis(app, prefix: str) -> None:  # type: ignore[no-untyped-def]
    app.config["LENTERA_REDIS_URL"] = REDIS_URL
    app.config["LENTERA_RATELIMIT_PREFIX"] = prefix


@pytest.fixture(params=["database", "redis"])
def storage(request, app):  # type: ignore[no-untyped-def]
    """Run a test once with counters in the database and once in Redis."""
    if request.param == "redis":
        _use_redis(app, request.getfixturevalue("redis_prefix"))
    return request.param


def test_store_counts_and_expires(app, storage):
    with app.test_request_context():
        store = get_store()
        assert isinstance(store, RedisStore if storage == "redis" else DatabaseStore)
        assert [store.hit("k1", 60) for _ in range(3)] == [1, 2, 3]
        count, left = store.peek("k1")
        assert count == 3 and 0 < left <= 60
        assert store.peek("other") == (0, 0)
        store.clear("k1")
        assert store.peek("k1") == (0, 0)
        assert store.hit("k2", 1) == 1
        time.sleep(2.1)  # the window of 1 s has passed: the counter starts again
        assert store.peek("k2") == (0, 0)
        assert store.hit("k2", 60) == 1


def test_login_allows_five_attempts_per_minute_per_address(app, users, storage):
    laptop, other = client_at(app, "10.1.1.1"), client_at(app, "10.1.1.2")
    statuses = [login(laptop, "admin", f"wrong password {i}").status_code for i in range(5)]
    assert statuses == [200] * 5
    refused = login(laptop, "admin")  # even the right password: the address is over the limit
    assert refused.status_code == 429
    assert "Terlalu banyak percobaan masuk" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) >= 1
    assert laptop.get("/hr/").status_code == 302  # not logged in
    assert login(other, "admin").status_code == 302  # another address is not affected


def test_account_locks_after_ten_failures_from_many_addresses(app, users, storage):
    for i in range(10):  # a distributed guesser: one attempt from each of ten addresses
        assert login(client_at(app, f"10.2.0.{i}"), "admin", "wrong").status_code == 200
    fresh = client_at(app, "10.2.1.1")
    locked = login(fresh, "admin")  # the right password from a new address
    assert locked.status_code == 429
    assert "dikunci sementara" in locked.get_data(as_text=True)
    assert fresh.get("/hr/").status_code == 302
    english = client_at(app, "10.2.1.2")
    english.get("/hr/masuk?lang=en")
    assert "account is locked" in login(english, "admin").get_data(as_text=True)
    # Another account is not locked.
    assert login(client_at(app, "10.2.1.3"), "analis").status_code == 302


def test_successful_login_forgets_earlier_failures(app, users, storage):
    for i in range(9):
        login(client_at(app, f"10.3.0.{i}"), "admin", "wrong")
    assert login(client_at(app, "10.3.1.1"), "admin").status_code == 302
    for i in range(9):
        login(client_at(app, f"10.3.2.{i}"), "admin", "wrong")
    assert login(client_at(app, "10.3.3.1"), "admin").status_code == 302


def _typos(client, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    """`n` well-formed codes that match nothing (a colleague mistyping their slip)."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return [enter_code(client, f"TYPO-{alphabet[i // 31 % 31]}{alphabet[i % 31]}ZZ-ZZZZ"
                       ).status_code for i in range(n)]


ENTRY_RE = re.compile(r'name="entry" value="([^"]+)"')


def test_a_valid_code_is_accepted_after_fifty_typos_from_the_same_address(app,
                                                                          open_wave_codes):
    from tests.app.helpers import counts, submit

    office = client_at(app, "10.4.1.1")
    statuses = _typos(office, 50)
    assert statuses == [422] * 20 + [429] * 30  # over the limit: refusals answer 429
    valid = open_wave_codes["codes"]["A"][0]
    colleague = client_at(app, "10.4.1.1")
    assert enter_code(colleague, valid).status_code == 200  # the intro page
    assert submit(colleague, valid, FULL_ANSWERS).status_code == 200
    assert counts(app)[0] == 1


def test_a_survey_page_fetched_before_the_limit_is_stored_after_it(app, open_wave_codes):
    from tests.app.helpers import counts

    app.config["LENTERA_CODE_GLOBAL_FAILURES"] = 10
    respondent = client_at(app, "10.4.2.1")
    valid, other = open_wave_codes["codes"]["A"][:2]
    intro = enter_code(respondent, valid).get_data(as_text=True)
    page = respondent.post("/isi/survei", data={
        "csrf_token": csrf_token(intro), "code": valid, "entry": ENTRY_RE.search(intro)[1]})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # While the respondent answers, colleagues on the same address mistype 50 codes: the
    # address is over its limit and the shared ceiling is reached too.
    assert _typos(client_at(app, "10.4.2.1"), 50) == [422] * 20 + [429] * 30
    assert enter_code(client_at(app, "10.4.2.1"), other).status_code == 429  # not checked
    r = respondent.post("/isi/survei", data={
        "csrf_token": csrf_token(html), "code": valid, "entry": ENTRY_RE.search(html)[1],
        "answers": "1", **FULL_ANSWERS})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert "Tanda terima" in r.get_data(as_text=True)
    assert counts(app)[0] == 1


def test_an_entry_token_works_only_for_its_own_code(app, open_wave_codes):
    from tests.app.helpers import counts

    app.config["LENTERA_CODE_FAILURES"] = 3
    app.config["LENTERA_CODE_GLOBAL_FAILURES"] = 1
    guesser = client_at(app, "10.4.3.1")
    mine = open_wave_codes["codes"]["A"][0]
    intro = enter_code(guesser, mine).get_data(as_text=True)
    token = ENTRY_RE.search(intro)[1]
    assert _typos(guesser, 4) == [422] * 3 + [429]
    one_off = mine[:-1] + ("Z" if mine[-1] != "Z" else "Y")  # a code one character from mine
    for attempt in ("ABCD-EFGH-JKMN", open_wave_codes["codes"]["B"][0], one_off):
        r = guesser.post("/isi/survei", data={
            "csrf_token": csrf_token(intro), "code": attempt, "entry": token, "answers": "1",
            **FULL_ANSWERS})
        assert r.status_code == 429  # the token of another code exempts nothing
    assert counts(app)[0] == 0


def test_a_guesser_is_bounded_per_address_and_by_the_shared_ceiling(app, open_wave_codes,
                                                                    storage, monkeypatch):
    app.config["LENTERA_CODE_FAILURES"] = 5
    app.config["LENTERA_CODE_GLOBAL_FAILURES"] = 10
    import survey_app.ops.ratelimit as ratelimit

    checked = []
    real_check = ratelimit.check_code
    monkeypatch.setattr(ratelimit, "check_code", lambda text: checked.append(text)
                        or real_check(text))
    guesser, office = client_at(app, "10.4.0.1"), client_at(app, "10.4.0.2")
    assert _typos(guesser, 5) == [422] * 5
    assert _typos(guesser, 10) == [429] * 10  # checked, refused, counted on the ceiling
    assert len(checked) == 15
    blocked = enter_code(guesser, open_wave_codes["codes"]["A"][0])
    assert blocked.status_code == 429  # past the ceiling: not even checked
    assert len(checked) == 15
    assert "Terlalu banyak kode yang salah" in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) >= 1
    page = guesser.get("/isi").get_data(as_text=True)
    survey = guesser.post("/isi/survei", data={"csrf_token": csrf_token(page),
                                               "code": open_wave_codes["codes"]["A"][1]})
    assert survey.status_code == 429 and len(checked) == 15
    # An address under its own limit is not affected by the ceiling.
    assert _typos(office, 2) == [422, 422]
    assert enter_code(office, open_wave_codes["codes"]["A"][0]).status_code == 200


def test_valid_codes_never_count_against_a_shared_office_address(app, open_wave_codes, storage):
    """Many respondents behind one NAT address: only refused codes count."""
    app.config["LENTERA_CODE_FAILURES"] = 3
    from tests.app.helpers import counts, submit

    office = client_at(app, "10.5.0.1")
    for code in open_wave_codes["codes"]["A"] + open_wave_codes["codes"]["B"]:
        assert submit(office, code, FULL_ANSWERS).status_code == 200
    assert counts(app)[0] == 12
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.5.0.1"}):
        assert get_store().peek(keyed("code-addr", "10.5.0.1")) == (0, 0)


def test_database_counters_store_no_address_and_no_link_to_responses(app, open_wave_codes,
                                                                      users):
    for i in range(3):
        enter_code(client_at(app, "192.0.2.77"), f"ABCD-EFGH-JK{i + 2}M")
        login(client_at(app, "192.0.2.78"), "admin", "wrong")
    with app.app_context():
        rows = db.session.execute(sa.text("SELECT key, hits FROM rate_limit")).all()
        db.session.rollback()  # SQLite: release the write lock before the inspector connects
        fks = sa.inspect(db.engine).get_foreign_keys("rate_limit")
    assert rows, "refusals must be counted"
    assert all("192.0.2" not in key and "admin" not in key for key, _ in rows)
    assert fks == []


def test_counters_are_shared_between_app_instances(app, users, tmp_path):
    """Two workers (two app objects on one database) share one allowance per address."""
    from tests.app.conftest import app_config

    second = create_app({**app_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "w2")})
    addr = "10.6.0.1"
    for i in range(5):
        worker = app if i % 2 == 0 else second
        assert login(client_at(worker, addr), "admin", "wrong").status_code == 200
    assert login(client_at(second, addr), "admin").status_code == 429
    with second.app_context():
        db.engine.dispose()


def test_redis_counters_are_shared_between_app_instances(app, users, redis_prefix, tmp_path):
    from tests.app.conftest import app_config

    second = create_app({**app_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "w2")})
    for worker in (app, second):
        _use_redis(worker, redis_prefix)
    for i in range(5):
        login(client_at(app if i % 2 else second, "10.7.0.1"), "admin", "wrong")
    assert login(client_at(app, "10.7.0.1"), "admin").status_code == 429
    with app.app_context():
        assert db.session.execute(sa.text("SELECT count(*) FROM rate_limit")).scalar() == 0
    with second.app_context():
        db.engine.dispose()


def test_unreachable_redis_leaves_login_and_submission_working(app, users, open_wave_codes,
                                                                caplog):
    from tests.app.helpers import submit

    app.config["LENTERA_REDIS_URL"] = "redis://127.0.0.1:9/0"  # the discard port: refused
    c = client_at(app, "10.8.0.1")
    assert login(c, "admin").status_code == 302
    assert submit(app.test_client(), open_wave_codes["codes"]["A"][0], FULL_ANSWERS
                  ).status_code == 200
    warnings = [r.getMessage() for r in caplog.records if r.name == "survey_app.ops.ratelimit"]
    assert warnings and all("Redis unavailable" in w and "10.8" not in w for w in warnings)


def test_limits_are_read_from_the_environment_by_the_config_module():
    from survey_app.config import ConfigError, config_from_env

    assert config_from_env({"LENTERA_CODE_FAILURES": "7", "LENTERA_CODE_GLOBAL_FAILURES": "50"}
                           ) == {"LENTERA_CODE_FAILURES": 7, "LENTERA_CODE_GLOBAL_FAILURES": 50}
    with pytest.raises(ConfigError, match="LENTERA_CODE_WINDOW"):
        config_from_env({"LENTERA_CODE_WINDOW": "-5"})


def test_a_limited_final_post_keeps_every_answer_to_send_again(app, open_wave_codes):
    from tests.app.helpers import counts

    app.config["LENTERA_CODE_GLOBAL_FAILURES"] = 10
    respondent = client_at(app, "10.4.5.1")
    valid = open_wave_codes["codes"]["A"][0]
    intro = enter_code(respondent, valid).get_data(as_text=True)
    assert _typos(client_at(app, "10.4.5.1"), 50) == [422] * 20 + [429] * 30
    # A survey POST without its entry token (an old page, a token past its lifetime).
    r = respondent.post("/isi/survei", data={"csrf_token": csrf_token(intro), "code": valid,
                                             "answers": "1", **FULL_ANSWERS})
    page = r.get_data(as_text=True)
    assert r.status_code == 429 and "Retry-After" in r.headers
    assert "Kirim lagi" in page and counts(app)[0] == 0
    for item, value in FULL_ANSWERS.items():
        assert f'<input type="hidden" name="{item}" value="{value}">' in page
    assert f'<input type="hidden" name="code" value="{valid}">' in page
    # The switch to English keeps them too (the code is still not checked).
    english = respondent.post("/isi/survei?lang=en", data={
        "csrf_token": csrf_token(page), "code": valid, "answers": "1", "relang": "1",
        **FULL_ANSWERS})
    assert english.status_code == 429 and "Send again" in english.get_data(as_text=True)
    # Once the window has passed, the same page sends them and they are stored.
    app.config["LENTERA_CODE_FAILURES"] = 10_000
    app.config["LENTERA_CODE_GLOBAL_FAILURES"] = 10_000
    kept = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    again = respondent.post("/isi/survei", data={"csrf_token": csrf_token(page), **dict(kept)})
    assert again.status_code == 200 and "Receipt" in again.get_data(as_text=True)  # in English
    assert counts(app)[0] == 1


def test_a_refused_code_stays_in_the_field_to_correct(app, open_wave_codes):
    r = enter_code(client_at(app, "10.4.6.1"), "TYPO-ABCD-ZZZZ")
    assert r.status_code == 422
    assert 'value="TYPO-ABCD-ZZZZ"' in r.get_data(as_text=True)
