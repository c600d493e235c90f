"""Anonymity rules that the schema, the logs and the database enforce (design/anonymity.md)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.ops.gunicorn_logging import AnonymousAccessLogger
from survey_app.ops.logs import DropRespondRequests

from .conftest import FULL_ANSWERS
from .helpers import counts, submit, token

ALLOWED_COLUMNS = {
    "response": {"id", "wave_id", "unit_id", "cut"},
    "answer": {"response_id", "item_code", "value", "points"},
    "code": {"hash", "wave_id", "unit_id", "used"},
}


@pytest.mark.parametrize("table", sorted(ALLOWED_COLUMNS))
def test_schema_has_no_column_for_code_ip_agent_or_time(app, table):
    with app.app_context():
        columns = sa.inspect(db.engine).get_columns(table)
    assert {c["name"] for c in columns} == ALLOWED_COLUMNS[table]
    for column in columns:
        assert not isinstance(column["type"], sa.Date | sa.DateTime | sa.Time | sa.Interval)


@pytest.mark.parametrize("value", ["ABCD-EFGH-JKMN", "127.0.0.1", "Mozilla/5.0",
                                   "2026-01-05 08:15", "08:15"])
def test_response_cut_column_cannot_hold_anything_but_the_declared_cut(app, open_wave_codes,
                                                                         value):
    ids = open_wave_codes
    with app.app_context(), pytest.raises(IntegrityError):
        db.session.execute(sa.text(
            "INSERT INTO response (id, wave_id, unit_id, cut) VALUES (:id, :w, :u, :c)"),
            {"id": uuid.uuid4().hex, "w": ids["wave_id"], "u": ids["unit_ids"]["A"], "c": value})
        db.session.commit()


def test_answer_value_outside_scale_is_refused_by_the_database(app, open_wave_codes):
    assert submit(app.test_client(), open_wave_codes["codes"]["A"][0], FULL_ANSWERS).status_code \
        == 200
    with app.app_context(), pytest.raises(IntegrityError):
        db.session.execute(sa.text("UPDATE answer SET value = points + 1"))
        db.session.commit()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_tables_have_no_rowid(app, backend):
    with app.app_context():
        for query in ("SELECT rowid FROM response", "SELECT rowid FROM answer"):
            with pytest.raises(sa.exc.OperationalError, match="rowid"):
                db.session.execute(sa.text(query))
            db.session.rollback()


def test_responses_come_back_in_random_id_order_not_submission_order(app, open_wave_codes):
    client = app.test_client()
    for code in open_wave_codes["codes"]["A"]:
        assert submit(client, code, FULL_ANSWERS).status_code == 200
    with app.app_context():
        from survey_app.models import Response

        ids = list(db.session.scalars(sa.select(Response.id).order_by(Response.id)))
    assert len(ids) == 6 and all(i.version == 4 for i in ids)


def test_submitting_writes_no_code_or_ip_to_the_logs(app, open_wave_codes, caplog):
    code = open_wave_codes["codes"]["A"][0]
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    client.post("/isi", data={"csrf_token": token(client), "code": code},
                environ_base={"REMOTE_ADDR": "10.9.8.7"})
    submit(client, code, FULL_ANSWERS)
    submit(client, code, FULL_ANSWERS)  # refused, also silent
    submit(client, "2222-3333-4444", FULL_ANSWERS)
    assert counts(app)[0] == 1
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (code, code.replace("-", ""), "10.9.8.7", "127.0.0.1", "2222-3333-4444"):
        assert secret not in text


def test_dev_server_access_lines_of_respond_routes_are_dropped():
    keep = logging.LogRecord("werkzeug", logging.INFO, "", 0,
                             '10.0.0.1 - - "GET /hr/ HTTP/1.1" 200 -', (), None)
    drop = logging.LogRecord("werkzeug", logging.INFO, "", 0,
                             '10.0.0.1 - - "POST /isi/survei HTTP/1.1" 200 -', (), None)
    assert DropRespondRequests().filter(keep) is True
    assert DropRespondRequests().filter(drop) is False


def test_gunicorn_logger_skips_respond_routes_and_never_writes_the_address(caplog):
    from types import SimpleNamespace

    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", __import__("survey_app.ops.gunicorn_logging", fromlist=["x"])
            .ACCESS_LOG_FORMAT)
    logger = AnonymousAccessLogger(cfg)
    lines: list[str] = []
    logger.access_log.handlers = []
    logger.access_log.addHandler(_ListHandler(lines))
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[], response_length=10)
    for path in ("/isi/survei", "/hr/"):
        environ = {"PATH_INFO": path, "RAW_URI": path, "REQUEST_METHOD": "POST",
                   "REMOTE_ADDR": "10.9.8.7",
                   "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1"}
        req = SimpleNamespace(headers=[], path=path, query="", method="POST", uri=path,
                              version=(1, 1))
        logger.access(resp, req, environ, dt.timedelta(milliseconds=3))
    assert len(lines) == 1 and "/hr/" in lines[0] and "10.9.8.7" not in lines[0]


class _ListHandler(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.mark.parametrize("threads", [2, 8])
def test_concurrent_submissions_with_one_code_store_exactly_one(app, open_wave_codes, threads):
    code = open_wave_codes["codes"]["A"][0]
    statuses = _race(app, [code] * threads)
    assert sorted(statuses) == [200] + [409] * (threads - 1)
    assert counts(app) == (1, 7, 1)


def test_concurrent_submissions_with_different_codes_all_succeed(app, open_wave_codes):
    codes = open_wave_codes["codes"]["A"] + open_wave_codes["codes"]["B"][:2]
    assert _race(app, codes) == [200] * 8
    assert counts(app) == (8, 56, 8)


def _race(app, codes: list[str]) -> list[int]:  # type: ignore[no-untyped-def]
    """Submit each code from its own thread and client, released together by a barrier."""
    barrier = threading.Barrier(len(codes))
    statuses: list[int] = [0] * len(codes)

    def run(i: int, code: str) -> None:
        client = app.test_client()
        data = {"csrf_token": token(client), "code": code, "answers": "1", **FULL_ANSWERS}
        barrier.wait()
        statuses[i] = client.post("/isi/survei", data=data).status_code

    workers = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(codes)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    return statuses


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_closing_a_wave_leaves_no_per_submission_transaction_ids(app, backend,
                                                                   open_wave_codes):
    client = app.test_client()
    for code in open_wave_codes["codes"]["A"][:4]:
        assert submit(client, code, FULL_ANSWERS).status_code == 200
    distinct = {"response": "SELECT count(DISTINCT xmin::text) FROM response",
                "answer": "SELECT count(DISTINCT xmin::text) FROM answer"}
    with app.app_context():
        assert db.session.scalar(sa.text(distinct["response"])) == 4
        from survey_app.models import Wave
        from survey_app.services import close_wave

        close_wave(db.session.get(Wave, open_wave_codes["wave_id"]), actor="t")
        db.session.commit()
        for query in distinct.values():
            assert db.session.scalar(sa.text(query)) == 1
        # The wave's code rows, whose xmin paired them with responses, are gone.
        assert db.session.scalar(sa.text("SELECT count(*) FROM code")) == 0


@pytest.mark.parametrize("statement", [
    "UPDATE answer SET value = 1",
    "DELETE FROM answer",
    "INSERT INTO answer (response_id, item_code, value, points) SELECT id, 'XX1', 1, 5 "
    "FROM response",
    "UPDATE response SET cut = NULL",
    "DELETE FROM response",
])
def test_a_closed_waves_answers_cannot_change(app, open_wave_codes, statement):
    assert submit(app.test_client(), open_wave_codes["codes"]["A"][0], FULL_ANSWERS,
                  cut="struktural").status_code == 200
    with app.app_context():
        from survey_app.models import Wave
        from survey_app.services import close_wave

        close_wave(db.session.get(Wave, open_wave_codes["wave_id"]), actor="t")
        db.session.commit()
        with pytest.raises(sa.exc.DatabaseError, match="wave is closed"):
            db.session.execute(sa.text(statement))
            db.session.commit()
        db.session.rollback()
        with pytest.raises(sa.exc.DatabaseError, match="wave is closed"):
            db.session.execute(sa.text(
                "INSERT INTO response (id, wave_id, unit_id) VALUES (:id, :w, :u)"),
                {"id": uuid.uuid4().hex, "w": open_wave_codes["wave_id"],
                 "u": open_wave_codes["unit_ids"]["A"]})
            db.session.commit()
        db.session.rollback()
    assert counts(app) == (1, 7, 0)  # closing deleted the wave's code rows (services/storage)
