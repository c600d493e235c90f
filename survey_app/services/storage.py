"""Storage traces (design/anonymity.md rule 11): what is left on disk must not link a code to
its response or order responses or used codes by time.

- `insert_codes`: issued codes go into the table in random order, never in print order.
- `scrub_wave_codes`: inside the close transaction, after the invited counts were read,
  delete the wave's code rows and (PostgreSQL) rewrite its responses and answers so that they
  all carry the close transaction's id (`xmin`).
- `compact_storage`: after that transaction committed, rewrite the files so that no physical
  order carries submission order: SQLite `VACUUM` (tables rebuilt in key order, freed pages
  dropped), PostgreSQL `CLUSTER` on the random primary keys (and the code table on its keyed
  hash), then `ANALYZE`. Neither can run inside a transaction block (VACUUM) or should hold
  its exclusive locks longer than the rewrite, so it runs on its own autocommit connection.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Answer, Code, Comment, Response

# PostgreSQL: each table and the index CLUSTER orders it by (random uuid / keyed hash).
PG_CLUSTER = (("response", "pk_response"), ("answer", "pk_answer"), ("code", "pk_code"),
              ("comment", "pk_comment"))


def insert_codes(rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert code rows in a random order: the heap (PostgreSQL) and a page's cells (SQLite)
    keep insertion order, and the issue order is the order of the printed slips and CSV."""
    shuffled = list(rows)
    secrets.SystemRandom().shuffle(shuffled)
    db.session.execute(sa.insert(Code), shuffled)


def scrub_wave_codes(wave_id: int) -> None:
    """Delete the wave's code rows and give its responses and answers one row version.

    Runs inside the close transaction, before the wave's state becomes closed (the closed-wave
    guard refuses any change to its rows afterwards). PostgreSQL stamps each row with the id of
    the transaction that wrote it (xmin): the code marked used and the response stored by one
    submission share it, and xmin order is submission order. Rewriting the responses,
    answers and comments here gives them all the close transaction's xmin;
    `compact_storage` then drops the old row versions and the heap order. SQLite keeps no
    per-row transaction ids; `secure_delete` zeroes the deleted code cells.
    """
    delete_wave_codes(wave_id)
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for statement in (
        sa.update(Response).where(Response.wave_id == wave_id).values(cut=Response.cut),
        sa.update(Answer).where(Answer.response_id.in_(
            sa.select(Response.id).where(Response.wave_id == wave_id))).values(value=Answer.value),
        sa.update(Comment).where(Comment.wave_id == wave_id).values(hidden=Comment.hidden),
    ):
        db.session.execute(statement.execution_options(synchronize_session=False))


def delete_wave_codes(wave_id: int) -> None:
    """Delete a wave's code rows (its invited counts are frozen in `wave_unit_frozen`)."""
    db.session.execute(sa.delete(Code).where(Code.wave_id == wave_id)
                       .execution_options(synchronize_session=False))


def compact_storage() -> None:
    """Rewrite the database files without physical submission order (after a wave closed).

    SQLite: `VACUUM` rebuilds every table in key order (WITHOUT ROWID: random ids, keyed
    hashes) into fresh pages; its temporary copy is kept in memory, not in a temp file.
    PostgreSQL: `CLUSTER` rewrites response, answer and code into new files in primary-key
    order (random uuid, keyed hash) without dead row versions, then `ANALYZE`. CLUSTER keeps
    row versions that a concurrent older snapshot may still need, so it is run when no long
    transaction (e.g. a running pg_dump) is open; `flask audit` reports what it left.

    The caller has committed. Whatever its session began since (a lazy load after the
    commit opens a transaction, and on SQLite BEGIN IMMEDIATE takes the write lock) is rolled
    back first, so that no connection of this process blocks the rewrite.
    """
    db.session.rollback()
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table, index in PG_CLUSTER:
                conn.exec_driver_sql(f"CLUSTER {table} USING {index}")
            conn.exec_driver_sql("ANALYZE response, answer, code, comment")
        return
    raw = engine.raw_connection()  # autocommit (configure_sqlite): no BEGIN around VACUUM
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA temp_store=MEMORY")
        try:
            cursor.execute("VACUUM")
        finally:
            cursor.execute("PRAGMA temp_store=DEFAULT")
            cursor.close()
    finally:
        raw.close()
