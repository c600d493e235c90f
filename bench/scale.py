"""A large wave from the database to the arrays of the analysis (issue #18), on SQLite and
PostgreSQL.

An organisation of ``--units`` units (a root, sections of 50 units, the units below them) and
one open wave with the three culture instruments (50 items) is loaded with ``--responses``
random responses by a fast loader (PostgreSQL COPY, SQLite executemany), then timed:

- read: `services.dataset.wave_datasets`, every instrument's answers of the wave in one pass;
- read, before: the previous read path (one ORM query per instrument, one Python dict lookup
  per answer), the baseline in the same run;
- analysis: `analysis.wave.analyse_wave` of each instrument on the same arrays;
- with ``--close``: `services.close_wave` (publish the results, rewrite the storage), then
  the aggregated export in CSV, xlsx and sav (`services.exports.export_bytes`).

Peak memory of the read is tracemalloc's peak of a separate run (numpy reports to it).

    .venv/bin/python -m bench.scale [--responses 100000] [--units 1000] [--db sqlite postgres]
        [--pg-url postgresql://root@127.0.0.1:5432/test] [--close] [--out bench/scale.md]

PostgreSQL: the database at --pg-url is emptied (its public schema is dropped) first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
KEYS = ("resistance", "readiness", "learning")
SECTION = 50
BLOCK = 20_000  # responses loaded per round trip


def _app(url: str, folder: str) -> Any:
    from flask_migrate import upgrade

    from survey_app import create_app
    from survey_app.database import MIGRATIONS

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "LENTERA_CODE_KEY": "bench",
                      "LENTERA_INSTANCE_PATH": folder})
    with app.app_context():
        if url.startswith("postgresql"):
            from survey_app.extensions import db

            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=str(MIGRATIONS))
    return app


def build(app: Any, units: int, responses: int, seed: int = 1) -> int:
    """The organisation, an open wave and its random responses; the wave's id."""
    from survey_app.extensions import db
    from survey_app.instrument_store import get_instrument
    from survey_app.models import Unit, Wave
    from survey_app.services import create_wave, open_wave

    rng = np.random.default_rng(seed)
    with app.app_context():
        db.session.add(Unit(code="ROOT", name="Provinsi Uji", headcount=0))
        db.session.flush()
        root = db.session.scalar(sa.select(Unit.id).where(Unit.code == "ROOT"))
        sections = max(1, (units - 1) // (SECTION + 1))
        db.session.execute(sa.insert(Unit), [
            {"code": f"S{s}", "name": f"Bagian {s}", "parent_id": root, "headcount": 0}
            for s in range(sections)])
        by_code = {c: i for c, i in db.session.execute(sa.select(Unit.code, Unit.id))}
        leaves = units - 1 - sections
        db.session.execute(sa.insert(Unit), [
            {"code": f"U{u}", "name": f"Unit {u}", "parent_id": by_code[f"S{u % sections}"],
             "headcount": 0} for u in range(leaves)])
        ids = [i for i in db.session.scalars(sa.select(Unit.id))]
        wave = create_wave(name="Skala", period="2026-Q4", instrument_keys=list(KEYS),
                           unit_ids=ids, opens_on=dt.date(2026, 11, 2),
                           closes_on=dt.date(2026, 11, 20), k=5, actor="bench")
        open_wave(wave, actor="bench")
        db.session.commit()
        items = [(item.code, scale.points) for key in KEYS
                 for scale in get_instrument(key).scales for dim in scale.dimensions
                 for item in dim.items]
        leaf_ids = np.array(list(db.session.scalars(
            sa.select(Unit.id).where(Unit.code.like("U%")))))
        _load(db, db.session.get(Wave, wave.id).id, leaf_ids, items, responses, rng)
        return int(wave.id)


def _load(db: Any, wave_id: int, leaf_ids: Any, items: list[tuple[str, int]], n: int,
          rng: np.random.Generator) -> None:
    codes = [c for c, _ in items]
    points = np.array([p for _, p in items])
    postgres = db.engine.dialect.name == "postgresql"
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        for start in range(0, n, BLOCK):
            m = min(BLOCK, n - start)
            rids = [uuid.uuid4() for _ in range(m)]
            unit = rng.choice(leaf_ids, m)
            values = (rng.random((m, len(items))) * points).astype(np.int64) + 1
            if postgres:
                with cur.copy("COPY response (id, wave_id, unit_id) FROM STDIN") as copy:
                    copy.write("".join(f"{r}\t{wave_id}\t{u}\n" for r, u in zip(rids, unit,
                                                                                  strict=True)))
                text = io.StringIO()
                for r, row in zip(rids, values.tolist(), strict=True):
                    for c, v, p in zip(codes, row, points.tolist(), strict=True):
                        text.write(f"{r}\t{c}\t{v}\t{p}\n")
                with cur.copy("COPY answer (response_id, item_code, value, points) "
                              "FROM STDIN") as copy:
                    copy.write(text.getvalue())
            else:
                if not raw.driver_connection.in_transaction:  # one transaction per block
                    cur.execute("BEGIN")
                cur.executemany("INSERT INTO response (id, wave_id, unit_id) VALUES (?, ?, ?)",
                                [(r.hex, wave_id, int(u)) for r, u in zip(rids, unit,
                                                                          strict=True)])
                cur.executemany(
                    "INSERT INTO answer (response_id, item_code, value, points) "
                    "VALUES (?, ?, ?, ?)",
                    [(r.hex, c, v, p) for r, row in zip(rids, values.tolist(), strict=True)
                     for c, v, p in zip(codes, row, points.tolist(), strict=True)])
            raw.commit()
    finally:
        raw.close()


def read_before(wave_id: int, key: str) -> Any:
    """The read path before issue #18: one query per instrument, a dict lookup per answer."""
    from survey_app.extensions import db
    from survey_app.instrument_store import get_instrument
    from survey_app.models import Answer, Response, Wave
    from survey_app.services.dataset import _pinned_key

    wave = db.session.get(Wave, wave_id)
    instrument = get_instrument(_pinned_key(wave, key))
    responses = db.session.execute(
        sa.select(Response.id, Response.unit_id, Response.cut)
        .where(Response.wave_id == wave_id).order_by(Response.id)).all()
    row_of = {rid: i for i, (rid, _, _) in enumerate(responses)}
    col_of = {item.code: j for j, item in enumerate(instrument.items)}
    values = np.full((len(responses), len(col_of)), np.nan)
    answers = db.session.execute(
        sa.select(Answer.response_id, Answer.item_code, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.wave_id == wave_id, Answer.item_code.in_(list(col_of))))
    for rid, code, value in answers:
        values[row_of[rid], col_of[code]] = value
    return values


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def measure(app: Any, wave_id: int, close: bool, before: bool) -> dict[str, float]:
    """Seconds (and MB) of each step on the loaded wave."""
    from analysis.wave import analyse_wave
    from survey_app.extensions import db
    from survey_app.models import Wave
    from survey_app.services import close_wave
    from survey_app.services.dataset import wave_datasets
    from survey_app.services.exports import export_bytes

    out: dict[str, float] = {}
    with app.app_context():
        out["read"], datasets = _timed(lambda: wave_datasets(wave_id, list(KEYS)))
        db.session.remove()
        out["read_mb"] = _peak_mb(lambda: wave_datasets(wave_id, list(KEYS)))
        db.session.remove()
        if before:
            out["read_before"], old = _timed(lambda: [read_before(wave_id, k) for k in KEYS])
            for key, values in zip(KEYS, old, strict=True):
                assert np.array_equal(values, datasets[key].values, equal_nan=True)
            db.session.remove()
        out["analysis"], _ = _timed(lambda: [analyse_wave(d.data, k=5)
                                             for d in datasets.values()])
        out["answers"] = float(sum(np.isfinite(d.values).sum() for d in datasets.values()))
        if close:
            out["close"], _ = _timed(lambda: (close_wave(db.session.get(Wave, wave_id),
                                                         actor="bench"),
                                              db.session.commit()))
            for fmt in ("csv", "xlsx", "sav"):  # the aggregated export reads published cells
                out[f"export_{fmt}"], (_, _, rows) = _timed(lambda fmt=fmt: export_bytes(
                    db.session.get(Wave, wave_id), fmt, respondents=False, actor="bench"))
                out["export_rows"] = float(rows)
    return out


def main(argv: list[str] | None = None) -> int:
    """Build, measure and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"],
                        choices=["sqlite", "postgres"])
    parser.add_argument("--pg-url", default=os.environ.get(
        "LENTERA_TEST_PG_URL", "postgresql://root@127.0.0.1:5432/test"))
    parser.add_argument("--close", action="store_true")
    parser.add_argument("--no-before", action="store_true", help="Skip the old read path.")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "scale.md")
    args = parser.parse_args(argv)
    rows = []
    for name in args.db:
        with tempfile.TemporaryDirectory() as folder:
            url = (f"sqlite:///{folder}/scale.db" if name == "sqlite" else args.pg_url)
            app = _app(url, folder)
            start = time.perf_counter()
            wave_id = build(app, args.units, args.responses)
            load = time.perf_counter() - start
            m = measure(app, wave_id, args.close, not args.no_before)
            rows.append((name, load, m))
            print(name, f"load {load:.1f} s", {k: round(v, 2) for k, v in m.items()},
                  flush=True)
    lines = ["# A large wave from the database to the arrays (`bench/scale.py`)", "",
             f"{args.units:,} units, {args.responses:,} responses of one wave with the three "
             "culture instruments (50 items); seconds, one process.", "",
             "| database | answers | load | read, before | read | read peak | analysis | "
             "read / analysis, before | read / analysis | close | aggregated export after "
             "close: csv / xlsx / sav |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, load, m in rows:
        before = m.get("read_before")
        was = f"{before:.2f} s" if before else "–"
        ratio = f"{before / m['analysis']:.1f}" if before else "–"
        close = f"{m['close']:.1f} s" if "close" in m else "–"
        export = (f"{m['export_rows']:,.0f} rows: {m['export_csv']:.1f} / {m['export_xlsx']:.1f}"
                  f" / {m['export_sav']:.1f} s" if "export_csv" in m else "–")
        lines.append(
            f"| {name} | {m['answers']:,.0f} | {load:.1f} s | {was} | {m['read']:.2f} s | "
            f"{m['read_mb']:,.0f} MB | {m['analysis']:.2f} s | {ratio} | "
            f"{m['read'] / m['analysis']:.1f} | {close} | {export} |")
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
