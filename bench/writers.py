"""Export writers: time per row at a small and a large table (issue #18: linear in rows).

A table shaped like the aggregated export (unit path and names as text, counts as integers,
scores and intervals as floats, a coded text column) is written as CSV, Excel .xlsx and SPSS
.sav at each size; the figure is the best of ``--repeat`` runs. A writer is linear when its
time per row at the large size is within 1.5x of the small size's.

    .venv/bin/python -m bench.writers [--rows 1000 100000] [--repeat 3] [--out bench/writers.md]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from survey_app.services.tables import FORMATS, Column, Table, write_table

ROOT = Path(__file__).resolve().parents[1]
#: Largest ratio of time per row (large / small) that still counts as linear.
LINEAR = 1.5


def table(rows: int, seed: int = 1) -> Table:
    """A seeded table of `rows` rows and 14 columns of the aggregated export's kinds."""
    rng = np.random.default_rng(seed)
    columns = (Column("wave", "Wave", "text"), Column("unit_path", "Unit path", "text"),
               Column("unit", "Unit", "text"),
               Column("instrument", "Instrument", "text", codes={"RC": 1, "RD": 2, "LC": 3}),
               Column("dimension", "Dimension", "text"), Column("n", "Respondents", "int"),
               *(Column(name, name, "float") for name in (
                   "mean", "sd", "ci_low", "ci_high", "score100", "favourable", "change")),
               Column("verdict", "Verdict", "text"))
    values = rng.normal(50.0, 15.0, size=(rows, 7))
    values[rng.random(values.shape) < 0.05] = np.nan
    counts = rng.integers(5, 300, size=rows)
    instruments = ("RC", "RD", "LC")
    out = [("2026-Q4", f"Kota/Kecamatan {i % 2000}/Kelurahan {i}", f"Kelurahan {i}",
            instruments[i % 3], f"D{i % 7}", int(counts[i]), *map(float, values[i]),
            "=not a formula" if i % 97 == 0 else "no_clear_change")
           for i in range(rows)]
    return Table(columns=columns, rows=out)


def seconds(tab: Table, fmt: str, repeat: int) -> float:
    """Best wall time of `repeat` writes."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        write_table(tab, fmt)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    """Time every writer at each size and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs=2, default=(1000, 100000))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "writers.md")
    args = parser.parse_args(argv)
    small, large = args.rows
    tables = {n: table(n) for n in (small, large)}
    lines = ["# Export writers, time per row (`bench/writers.py`)", "",
             f"14 columns; best of {args.repeat}; linear = time per row at {large:,} rows "
             f"within {LINEAR}x of {small:,}.", "",
             f"| format | {small:,} rows | {large:,} rows | µs per row at {small:,} | "
             f"µs per row at {large:,} | ratio | linear? |", "|---|---|---|---|---|---|---|"]
    failed = False
    for fmt in FORMATS:
        t_small, t_large = (seconds(tables[n], fmt, args.repeat) for n in (small, large))
        per_small, per_large = t_small / small * 1e6, t_large / large * 1e6
        ratio = per_large / per_small
        failed |= ratio > LINEAR
        lines.append(f"| {fmt} | {t_small:.3f} s | {t_large:.2f} s | {per_small:.1f} | "
                     f"{per_large:.1f} | {ratio:.2f} | {'yes' if ratio <= LINEAR else 'no'} |")
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.write_text(text, encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
