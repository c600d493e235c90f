"""Benchmark: instrument_validity on 1,000,000 respondents x 40 items, one thread.

    .venv/bin/python -m bench.validity            # 1,000,000 x 40, 8 dimensions
    .venv/bin/python -m bench.validity --quick    # 100,000 x 40
    .venv/bin/python -m bench.validity --accuracy 200   # verdicts on known structures

Baselines in the same run, on the same matrix: (a) one BLAS product ``X.T @ X`` of the
whole matrix (the least a covariance can cost), (b) ``np.nanmean(X, axis=1)`` (the floor of
bench/analysis.py). The summary is timed whole and split into its pass over the rows
(``complete_row_moments``, timed alone) and the estimators on the 40 x 40 matrix (the
same call on 20,000 rows, where the pass is negligible).
BLAS is limited to one thread before numpy loads (OPENBLAS_NUM_THREADS and friends).
``--accuracy`` instead draws organisations of 150, 237 (the demo's) and 1,000 respondents
from known structures and counts the verdicts that match them.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from analysis.validity import complete_row_moments, instrument_validity  # noqa: E402

ITEMS_PER_DIM = (5, 4, 4, 4, 5, 7, 6, 5)  # 40 items, as bench/analysis.py
POINTS = 5
MISSING = 0.01  # per answer: about 67% of rows are complete
SMALL = 20_000  # rows whose pass costs ~1% of the estimators: times the 40 x 40 work


def make_answers(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw 1..5 answers from 8 correlated factors (r = .5, two pairs at .95), 1% missing."""
    m = len(ITEMS_PER_DIM)
    phi = np.full((m, m), 0.5) + 0.5 * np.eye(m)
    phi[0, 1] = phi[1, 0] = phi[2, 3] = phi[3, 2] = 0.95
    dims = np.repeat(np.arange(m), ITEMS_PER_DIM)
    f = (rng.standard_normal((n, m), dtype=np.float32) @ np.linalg.cholesky(phi).T
         .astype(np.float32))
    x = f[:, dims] * 0.7 + 0.7 * rng.standard_normal((n, dims.size), dtype=np.float32)
    reverse = np.zeros(dims.size, dtype=bool)
    reverse[::5] = True
    x[:, reverse] *= -1
    x = np.clip(np.rint(3 + 1.2 * x), 1, POINTS).astype(np.float64)
    x[rng.random(x.shape, dtype=np.float32) < MISSING] = np.nan
    return x, dims, reverse


def make_one_factor(rng: np.random.Generator, n: int) -> np.ndarray:
    """The same shape with one factor behind all 40 items: omega's slowest case (eight
    factors extracted where there is one; the rotation does not converge and hits its cap)."""
    f = rng.standard_normal((n, 1), dtype=np.float32)
    x = 0.84 * f + 0.84 * rng.standard_normal((n, sum(ITEMS_PER_DIM)), dtype=np.float32)
    x = np.clip(np.rint(3 + x), 1, POINTS).astype(np.float64)
    x[rng.random(x.shape, dtype=np.float32) < MISSING] = np.nan
    return x


#: Known structures (3 dimensions x 4 items, loadings .7) and the verdict they should get.
TRUTHS = (
    ("one factor (all r = 1)", ((1, 1, 1), (1, 1, 1), (1, 1, 1)),
     "not_distinct_report_instrument_level"),
    ("r = .5", ((1, .5, .5), (.5, 1, .5), (.5, .5, 1)), "distinct"),
    ("r = .7", ((1, .7, .7), (.7, 1, .7), (.7, .7, 1)), "distinct"),
    ("r = .8 (near the .85 threshold)", ((1, .8, .8), (.8, 1, .8), (.8, .8, 1)), "distinct"),
    ("r = .95", ((1, .95, .95), (.95, 1, .95), (.95, .95, 1)),
     "not_distinct_report_instrument_level"),
    ("two identical, third r = .5", ((1, 1, .5), (1, 1, .5), (.5, .5, 1)), "partly_distinct"),
)


def simulate(rng: np.random.Generator, phi: np.ndarray, n: int) -> np.ndarray:
    """Raw 1..5 answers, 4 items per factor with loading .7 (as tests/analysis)."""
    f = rng.multivariate_normal(np.zeros(3), phi + 1e-9 * np.eye(3), size=n, method="cholesky")
    x = np.repeat(f, 4, axis=1) * 0.7 + np.sqrt(1 - 0.49) * rng.standard_normal((n, 12))
    return np.clip(np.round(3 + 1.2 * x), 1, 5)


def accuracy(reps: int) -> None:
    """Share of simulated organisations whose verdict matches the known structure."""
    dims, plain = np.repeat(np.arange(3), 4), np.zeros(12, dtype=bool)
    sizes = (150, 237, 1000)
    print(f"| truth ({reps} organisations per cell) | expected | "
          + " | ".join(f"n = {n}" for n in sizes) + " |")
    print("|---|---|" + "---|" * len(sizes))
    for label, phi, want in TRUTHS:
        cells = []
        for n in sizes:
            rng = np.random.default_rng([20261203, n])
            got = [instrument_validity(simulate(rng, np.asarray(phi), n), dims, plain,
                                       POINTS).verdict for _ in range(reps)]
            cells.append(f"{np.mean([g == want for g in got]):.0%}")
        print(f"| {label} | {want} | " + " | ".join(cells) + " |")


def timed(fn) -> float:
    """Wall seconds of one call."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    """Interleave the measurements in rounds and print a Markdown table (best and median)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="100,000 x 40")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--accuracy", type=int, metavar="REPS", default=0,
                    help="instead: verdict accuracy on REPS simulated organisations per cell")
    args = ap.parse_args()
    if args.accuracy:
        accuracy(args.accuracy)
        return
    n = 100_000 if args.quick else 1_000_000
    x, dims, reverse = make_answers(np.random.default_rng(20261201), n)
    one = make_one_factor(np.random.default_rng(20261202), n)
    plain = np.zeros(dims.size, dtype=bool)
    result = instrument_validity(x, dims, reverse, POINTS)  # warm-up, and the figures
    result_one = instrument_validity(one, dims, plain, POINTS)
    head, head_one = x[:SMALL], one[:SMALL]
    rec: dict[str, list[float]] = {
        k: [] for k in ("summary", "pass", "xtx", "nanmean", "one", "small", "small_one")}
    for _ in range(args.rounds):
        rec["summary"].append(timed(lambda: instrument_validity(x, dims, reverse, POINTS)))
        rec["one"].append(timed(lambda: instrument_validity(one, dims, plain, POINTS)))
        rec["small"].append(timed(lambda: instrument_validity(head, dims, reverse, POINTS)))
        rec["small_one"].append(timed(lambda: instrument_validity(head_one, dims, plain,
                                                                  POINTS)))
        rec["pass"].append(timed(lambda: complete_row_moments(x)))
        rec["xtx"].append(timed(lambda: x.T @ x))
        rec["nanmean"].append(timed(lambda: np.nanmean(x, axis=1)))
    best = {k: min(v) for k, v in rec.items()}
    med = {k: float(np.median(v)) for k, v in rec.items()}
    print(f"| {n:,} respondents x {x.shape[1]} items, {len(ITEMS_PER_DIM)} dimensions, "
          f"{result.n:,} complete rows | wall: best (median) of {args.rounds} |")
    print("|---|---|")
    for label, key in (("instrument_validity (goal <= 1.5 s)", "summary"),
                       ("  of which the pass over the rows (complete_row_moments)", "pass"),
                       ("(a) baseline: one X.T @ X", "xtx"),
                       ("(b) floor: np.nanmean over the matrix", "nanmean"),
                       ("instrument_validity, one-factor data (omega's slowest case)", "one"),
                       (f"the same on the first {SMALL:,} rows (~ the estimators alone)",
                        "small"),
                       (f"one-factor data, first {SMALL:,} rows", "small_one")):
        print(f"| {label} | {best[key]:.3f} s ({med[key]:.3f} s) |")
    for label, den in (("instrument_validity / (a) X.T @ X", "xtx"),
                       ("instrument_validity / (b) nanmean", "nanmean")):
        print(f"| ratio {label} | {best['summary'] / best[den]:.1f}x "
              f"({med['summary'] / med[den]:.1f}x) |")
    for label, res in (("verdict", result), ("verdict, one-factor data", result_one)):
        print(f"| {label} | {res.verdict}, groups {res.groups}, warnings "
              f"{', '.join(res.warnings) or '-'} |")
    print(f"| machine: {os.cpu_count()} cores | load average {os.getloadavg()[0]:.2f} at the end |")


if __name__ == "__main__":
    main()
