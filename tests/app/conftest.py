"""App fixtures: a fresh schema (via migrations) per test on SQLite and, where reachable,
PostgreSQL; small test instruments; helpers that fetch forms and post their CSRF token."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from instruments.model import (
    Dimension,
    Direction,
    Instrument,
    Item,
    Option,
    Question,
    Referent,
    Scale,
    Text,
)
from survey_app import create_app
from survey_app.database import upgrade_schema
from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.services import create_wave, issue_codes, open_wave


def _t(s: str) -> Text:
    return Text(id=s, en=f"{s} (en)")


def make_instrument(ident: str, prefix: str, points: int, dims: int, per_dim: int,
                    questions: bool = False) -> Instrument:
    """A small instrument built from the shared model (independent of shipped files)."""
    dimensions = tuple(
        Dimension(code=f"{prefix}D{d}", name=_t(f"Dimensi {d}"), description=_t("desc"),
                  actions=(), items=tuple(
                      Item(code=f"{prefix}{d}{i}", dimension=f"{prefix}D{d}", reverse=i == 2,
                           text=_t(f"Pernyataan {prefix}{d}{i}"))
                      for i in range(1, per_dim + 1)))
        for d in range(1, dims + 1))
    scale = Scale(code=f"{prefix}S", name=_t("Skala"), points=points,
                  options=tuple(Option(v, _t(f"opsi {v}")) for v in range(1, points + 1)),
                  referent=Referent.COLLECTIVE, direction=Direction.HIGHER_BETTER,
                  dimensions=dimensions)
    qs = (Question(code=f"{prefix}Q1", text=_t("Usia"),
                   choices=tuple(Option(v, _t(f"usia {v}")) for v in range(1, 5))),) \
        if questions else ()
    return Instrument(id=ident, version="1.0", kind="skm" if questions else "culture",
                      title=_t(f"Instrumen {ident}"), intro=_t("Petunjuk"), citation="test",
                      licence=_t("CC0"), scales=(scale,), respondent_questions=qs,
                      source="<test>")


TEST_INSTRUMENTS = {
    "tready@1.0": make_instrument("tready", "RD", 5, 2, 2),
    "tlearn@1.0": make_instrument("tlearn", "LC", 6, 1, 3),
    "tskm@1.0": make_instrument("tskm", "U", 4, 1, 3, questions=True),
}
TEST_INSTRUMENTS.update({k.split("@")[0]: v for k, v in list(TEST_INSTRUMENTS.items())})
CODE_KEY = "test-code-key-not-secret"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def app_config(url: str, tmp_path) -> dict:  # type: ignore[no-untyped-def]
    return {"TESTING": True, "LENTERA_INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret",
            "LENTERA_CODE_KEY": CODE_KEY, "LENTERA_INSTRUMENTS": TEST_INSTRUMENTS,
            "LENTERA_PUBLIC_URL": "http://lentera.test"}


@pytest.fixture(scope="session")
def pg_schema_url(pg_server_database: str) -> str:
    """The session's PostgreSQL database with the schema applied by the migrations."""
    import tempfile
    from pathlib import Path

    app = create_app(app_config(pg_server_database, Path(tempfile.mkdtemp())))
    upgrade_schema(app)
    with app.app_context():
        db.engine.dispose()
    return pg_server_database


def _truncate_pg(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request) -> str:  # type: ignore[no-untyped-def]
    return request.param


@pytest.fixture
def app(backend, tmp_path, request) -> Iterator:  # type: ignore[no-untyped-def]
    """A fresh app and database (SQLite file per test; truncated PostgreSQL database)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        app = create_app(app_config(url, tmp_path))
        upgrade_schema(app)
    else:
        url = request.getfixturevalue("pg_schema_url")
        app = create_app(app_config(url, tmp_path))
    yield app
    if backend == "postgres":
        _truncate_pg(app)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in page"
    return match.group(1)


def add_units(spec: list[tuple[str, str, str | None, int]]) -> dict[str, Unit]:
    """Insert units (code, name, parent_code, headcount) directly for test setup."""
    units: dict[str, Unit] = {}
    for code, name, parent, headcount in spec:
        units[code] = Unit(code=code, name=name, headcount=headcount,
                           parent=units[parent] if parent else None)
        db.session.add(units[code])
    db.session.flush()
    return units


@pytest.fixture
def open_wave_codes(app):  # type: ignore[no-untyped-def]
    """An open wave (two test instruments, cut jabatan) over two units, with 6 codes each."""
    with app.app_context():
        units = add_units([("ROOT", "Pemkot", None, 0), ("A", "Unit A", "ROOT", 6),
                           ("B", "Unit B", "ROOT", 6)])
        wave = create_wave(name="Budaya 2026-Q1", period="2026-Q1",
                           instrument_keys=["tready", "tlearn"],
                           unit_ids=[units["A"].id, units["B"].id],
                           opens_on=dt.date(2026, 1, 5), closes_on=dt.date(2026, 1, 30),
                           k=3, cut="jabatan", actor="test")
        open_wave(wave, actor="test")
        codes = {u: [c.code for c in issue_codes(wave, units[u], 6, key=CODE_KEY, actor="test")]
                 for u in ("A", "B")}
        db.session.commit()
        return {"wave_id": wave.id, "codes": codes,
                "unit_ids": {u: units[u].id for u in ("A", "B")}}


FULL_ANSWERS = {"RD11": "4", "RD12": "2", "RD21": "5", "RD22": "1",
                "LC11": "6", "LC12": "3", "LC13": "1"}
