"""Redaction on the test corpus: recall and precision per entity, and time per sentence.

Scoring (also used by tests/app/test_redaction.py): an expected span is recalled when one
found span of the same entity covers it whole; a found span is correct when it overlaps an
expected span of the same entity. "Removed" counts an expected span covered by a found span
of any entity (the text is gone, whatever its label).

    .venv/bin/python -m bench.redaction [--corpus tests/data/redaction_corpus.jsonl] [--repeat 20]
        [--rewrite 100 1000 5000] [--placement UNITS COMMENTS]

`--rewrite` also times `services.comments.add_comment` on SQLite (a temporary file) with that
many comments already in the unit: each new comment rewrites them in random order, so its
cost grows with the unit's comments. `--placement` adds COMMENTS comments of varied length
to UNITS units one by one and, after each, reads the file as an attacker: how often the
newest comment is the lowest-offset cell of its unit in its page (where a cell without a
hole of its own would land), against chance.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from survey_app.services.redaction import PLACEHOLDERS, Span, find_spans, normalise, redact

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "redaction_corpus.jsonl"


@dataclass
class Counts:
    """Tallies of one entity."""

    expected: int = 0
    recalled: int = 0
    removed: int = 0
    found: int = 0
    correct: int = 0
    misses: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.recalled / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0


def load_corpus(path: Path = CORPUS) -> list[dict]:  # type: ignore[type-arg]
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def score(rows: Sequence[dict]) -> dict[str, Counts]:  # type: ignore[type-arg]
    """Counts per entity over the corpus rows (module docstring)."""
    counts = {entity: Counts() for entity in PLACEHOLDERS}
    for row in rows:
        text = normalise(row["text"])
        found = find_spans(text, row.get("roster", ()))
        expected = [Span(e["start"], e["end"], e["entity"]) for e in row["expected"]]
        for e in expected:
            c = counts[e.entity]
            c.expected += 1
            covering = [f for f in found if f.start <= e.start and f.end >= e.end]
            c.removed += bool(covering)
            if any(f.entity == e.entity for f in covering):
                c.recalled += 1
            else:
                c.misses.append(f"{text[e.start:e.end]!r} in {text!r}")
        for f in found:
            c = counts[f.entity]
            c.found += 1
            if any(e.entity == f.entity and f.start < e.end and e.start < f.end
                   for e in expected):
                c.correct += 1
            else:
                c.false.append(f"{text[f.start:f.end]!r} in {text!r}")
    return counts


def table(counts: dict[str, Counts]) -> str:
    lines = ["| entity | expected | recalled | removed (any label) | found | correct | recall "
             "| precision |", "|---|---|---|---|---|---|---|---|"]
    for entity, c in counts.items():
        lines.append(f"| {entity} | {c.expected} | {c.recalled} | {c.removed} | {c.found} "
                     f"| {c.correct} | {c.recall:.3f} | {c.precision:.3f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rewrite", type=int, nargs="*", default=[])
    parser.add_argument("--placement", type=int, nargs=2, default=None)
    args = parser.parse_args(argv)
    rows = load_corpus(args.corpus)
    counts = score(rows)
    print(f"{len(rows)} sentences, "
          f"{sum(not r['expected'] for r in rows)} without personal data")
    print(table(counts))
    for entity, c in counts.items():
        for miss in c.misses:
            print(f"missed {entity}: {miss}")
        for false in c.false:
            print(f"false {entity}: {false}")
    best = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        for row in rows:
            redact(row["text"], row.get("roster", ()))
        best = min(best, time.perf_counter() - start)
    print(f"redact(): {best / len(rows) * 1e6:.1f} µs per sentence (best of {args.repeat}, "
          f"roster of {len(rows[0].get('roster', ()))} names)")
    for existing in args.rewrite:
        print(f"add_comment with {existing} comments in the unit (SQLite): "
              f"{rewrite_ms(existing):.1f} ms (median of 5, commit included)")
    if args.placement:
        trials, newest, chance = placement(*args.placement)
        print(f"placement, {args.placement[0]} units, {args.placement[1]} comments: the newest "
              f"comment is its unit's lowest cell in {newest} of {trials} pages "
              f"(chance {chance:.1f})")
    return 0


def rewrite_ms(existing: int) -> float:
    """Median time of one add_comment + commit with `existing` comments of ~200 characters."""
    import datetime as dt
    import statistics
    import tempfile
    import uuid

    import sqlalchemy as sa

    from survey_app import create_app
    from survey_app.database import upgrade_schema
    from survey_app.extensions import db
    from survey_app.models import Comment, Unit, Wave
    from survey_app.services.comments import add_comment

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench.db", "SECRET_KEY": "bench",
                          "LENTERA_CODE_KEY": "bench", "LENTERA_INSTANCE_PATH": folder})
        upgrade_schema(app)
        with app.app_context():
            unit = Unit(code="U", name="Unit", headcount=existing)
            wave = Wave(name="W", period="2026-Q1", opens_on=dt.date(2026, 1, 1),
                        closes_on=dt.date(2026, 1, 31), state="open")
            db.session.add_all([unit, wave])
            db.session.flush()
            text = "Pelayanan di loket perlu diperbaiki, antrean terlalu lama pada hari Senin " * 3
            db.session.execute(sa.insert(Comment), [
                {"id": uuid.uuid4(), "wave_id": wave.id, "unit_id": unit.id, "text": text,
                 "hidden": False} for _ in range(existing)])
            db.session.commit()
            times = []
            for _ in range(5):
                start = time.perf_counter()
                add_comment(wave.id, unit.id, text)
                db.session.commit()
                times.append((time.perf_counter() - start) * 1000)
            db.engine.dispose()
        return statistics.median(times)



def placement(units: int, comments: int, seed: int = 5) -> tuple[int, int, float]:
    """(pages looked at, newest comment lowest, expected by chance); module docstring."""
    import datetime as dt
    import random
    import tempfile

    from survey_app import create_app
    from survey_app.database import upgrade_schema
    from survey_app.extensions import db
    from survey_app.models import Unit, Wave
    from survey_app.services.comments import add_comment
    from tests.security.test_forensics import btree_cells, open_copy

    rng = random.Random(seed)
    trials = newest = 0
    chance = 0.0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench",
                          "LENTERA_CODE_KEY": "bench", "LENTERA_INSTANCE_PATH": folder})
        upgrade_schema(app)
        with app.app_context():
            rows = [Unit(code=f"U{i}", name="Unit", headcount=1) for i in range(units)]
            wave = Wave(name="W", period="2026-Q1", opens_on=dt.date(2026, 1, 1),
                        closes_on=dt.date(2026, 1, 31), state="open")
            db.session.add_all([*rows, wave])
            db.session.flush()
            for n in range(comments):
                unit = rng.choice(rows)
                add_comment(wave.id, unit.id, f"komentar {n}. " + "kata " * rng.randint(0, 60))
                db.session.commit()
                conn = open_copy(path)
                (root,) = conn.execute(
                    "SELECT rootpage FROM sqlite_master WHERE name = 'comment'").fetchone()
                info = {i: (t, u) for i, t, u in conn.execute(
                    "SELECT id, text, unit_id FROM comment")}
                conn.close()
                new_id = next(i for i, (t, _u) in info.items()
                              if t.startswith(f"komentar {n}."))
                pages: dict[int, list[tuple[int, str]]] = {}
                for page, offset, key in btree_cells(path.read_bytes(), root):
                    if info[key.decode()][1] == unit.id:
                        pages.setdefault(page, []).append((offset, key.decode()))
                for cells in pages.values():
                    if len(cells) > 1 and new_id in (k for _o, k in cells):
                        trials += 1
                        newest += min(cells)[1] == new_id
                        chance += 1 / len(cells)
            db.engine.dispose()
    return trials, newest, chance


if __name__ == "__main__":
    raise SystemExit(main())
