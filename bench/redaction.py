"""Redaction on the test corpus: recall and precision per entity, and time per sentence.

Scoring (also used by tests/app/test_redaction.py): an expected span is recalled when one
found span of the same entity covers it whole; a found span is correct when it overlaps an
expected span of the same entity. "Removed" counts an expected span covered by a found span
of any entity (the text is gone, whatever its label).

    .venv/bin/python -m bench.redaction [--corpus tests/data/redaction_corpus.jsonl] [--repeat 20]
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
