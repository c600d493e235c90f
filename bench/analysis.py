"""Benchmark: a whole wave through analysis.wave vs per-unit pingouin and one nanmean pass.

    .venv/bin/python -m bench.analysis            # 1,000,000 respondents x 40 items, 1,000 units
    .venv/bin/python -m bench.analysis --quick    # 100,000 x 40, 100 units (CI-length)

(a) pingouin: the same statistics per unit and dimension the way a Python analyst would
    write them (pandas groupby + pingouin.cronbach_alpha / ttest / compute_effsize / anova),
    timed on a random sample of units and extrapolated linearly to all units (stated).
(b) floor: np.nanmean over all items of the matrix (one memory-bound pass).
Figures are ratios against these baselines measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

from analysis import agreement
from analysis.disclosure import suppress
from analysis.validity import instrument_validity
from analysis.wave import WaveData, analyse_wave

ITEMS_PER_DIM = (5, 4, 4, 4, 5, 7, 6, 5)  # 40 items: the three instruments' dimensions, roughly
POINTS = (6, 6, 6, 6, 5, 5, 5, 5)
COLLECTIVE = (False, False, False, False, True, True, True, True)


def make_wave(rng: np.random.Generator, n: int, n_units: int, parent: np.ndarray,
              shift: float) -> WaveData:
    """One-factor ordinal answers with unit effects, 3% missing, a 2-category cut."""
    dims = np.repeat(np.arange(len(ITEMS_PER_DIM)), ITEMS_PER_DIM)
    pts = np.asarray(POINTS)
    unit = rng.integers(0, n_units, n)
    latent = rng.standard_normal(n, dtype=np.float32) + rng.normal(0, 0.4, n_units)[unit] + shift
    a = pts[dims].astype(np.float32)
    x = (a + 1) / 2 + 0.8 * latent[:, None] + 0.7 * rng.standard_normal((n, dims.size),
                                                                          dtype=np.float32)
    x = np.clip(np.rint(x), 1, a).astype(np.float64)
    x[rng.random((n, dims.size), dtype=np.float32) < 0.03] = np.nan
    reverse = np.zeros(dims.size, dtype=bool)
    reverse[::4] = True
    return WaveData(values=x, unit=unit, item_dimension=dims, item_reverse=reverse,
                    dimension_points=pts, dimension_collective=np.asarray(COLLECTIVE),
                    unit_parent=parent, cut=rng.integers(-1, 2, n), n_cut_categories=2)


def make_tree(rng: np.random.Generator, n_units: int) -> np.ndarray:
    """Organisation -> ~30 departments -> units (three levels)."""
    parent = np.full(n_units, -1)
    n_dept = max(1, n_units // 33)
    parent[1:n_dept + 1] = 0
    parent[n_dept + 1:] = rng.integers(1, n_dept + 1, n_units - n_dept - 1)
    return parent


def pingouin_unit(df_now, df_prev, dims, points, collective):
    """Per-unit statistics with pandas + pingouin for one unit's rows (both waves)."""
    import pingouin as pg

    out = {}
    for d, cols in dims.items():
        block = df_now[cols]
        score = block.mean(axis=1)
        prev = df_prev[cols].mean(axis=1)
        out[d] = {
            "mean": score.mean(), "sd": score.std(), "n": score.count(),
            "alpha": pg.cronbach_alpha(data=block, nan_policy="listwise"),
            "welch": pg.ttest(score.dropna(), prev.dropna(), correction=True),
            "g": pg.compute_effsize(score.dropna(), prev.dropna(), eftype="hedges"),
        }
        out[d]["g_ci"] = pg.compute_esci(stat=out[d]["g"], nx=score.count(), ny=prev.count(),
                                         eftype="hedges")
        if collective[d]:
            var = block.dropna().var(ddof=1).mean()
            s = var / ((points[d] ** 2 - 1) / 12)
            j = len(cols)
            out[d]["rwg_j"] = 0.0 if s > 1 else j * (1 - s) / (j * (1 - s) + s)
    return out


class PingouinBaseline:
    """Per-unit statistics with pandas + pingouin, prepared once, timed on unit samples."""

    def __init__(self, now: WaveData, prev: WaveData):
        self.cols = [f"i{j}" for j in range(now.values.shape[1])]
        a = np.asarray(now.dimension_points)[now.item_dimension]
        rev = now.item_reverse
        self.keyed_now = now.values.copy()
        self.keyed_now[:, rev] = a[rev] + 1 - self.keyed_now[:, rev]
        self.keyed_prev = prev.values.copy()
        self.keyed_prev[:, rev] = a[rev] + 1 - self.keyed_prev[:, rev]
        self.dims = {d: [c for c, dd in zip(self.cols, now.item_dimension, strict=True) if dd == d]
                     for d in range(now.n_dimensions)}
        self.now, self.prev = now, prev

    def per_unit_seconds(self, units: np.ndarray) -> float:
        """Mean seconds per unit over `units` (each unit's rows of both waves)."""
        import pandas as pd

        rows_now = [np.flatnonzero(self.now.unit == u) for u in units]
        rows_prev = [np.flatnonzero(self.prev.unit == u) for u in units]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas/pingouin deprecation chatter, not results
            t0 = time.perf_counter()
            for rn, rp in zip(rows_now, rows_prev, strict=True):
                df_now = pd.DataFrame(self.keyed_now[rn], columns=self.cols)
                df_prev = pd.DataFrame(self.keyed_prev[rp], columns=self.cols)
                pingouin_unit(df_now, df_prev, self.dims, self.now.dimension_points,
                              self.now.dimension_collective)
            return (time.perf_counter() - t0) / len(units)

    def icc_seconds(self) -> float:
        """ICC(1)/ICC(2) inputs: one pingouin ANOVA per collective dimension over all rows."""
        import pandas as pd
        import pingouin as pg

        t0 = time.perf_counter()
        for d in np.flatnonzero(self.now.dimension_collective):
            y = np.nanmean(self.keyed_now[:, self.now.item_dimension == d], axis=1)
            frame = pd.DataFrame({"unit": self.now.unit, "y": y}).dropna()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pg.anova(data=frame, dv="y", between="unit")
        return time.perf_counter() - t0


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def main() -> None:
    """Run the benchmark and print a Markdown table.

    The machine is shared, so the measurements are interleaved in rounds; the best round of
    each is the least disturbed, the median shows the noise. CPU time (process_time) is
    reported too: it does not count the time spent waiting for a core, so its ratios move
    less with other jobs' load (single-threaded runs only; it adds up threads).
    """
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="100,000 x 40 in 100 units")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--units-per-round", type=int, default=8)
    args = ap.parse_args()
    n, n_units = (100_000, 100) if args.quick else (1_000_000, 1_000)
    rng = np.random.default_rng(20261130)
    parent = make_tree(rng, n_units)
    now = make_wave(rng, n, n_units, parent, 0.1)
    prev = make_wave(rng, n, n_units, parent, 0.0)
    baseline = PingouinBaseline(now, prev)
    analyse_wave(now, k=5, previous=prev)  # warm-up (imports, caches)
    rec: dict[str, list[tuple[float, float]]] = {
        k: [] for k in ("wave", "wave2", "valid", "floor", "pg")}
    points = np.asarray(now.dimension_points)[np.asarray(now.item_dimension)]

    def fresh_wave(workers: int = 1):  # type: ignore[no-untyped-def]
        # rwg(j) critical values are simulated once per group size and cached: count them
        agreement._critical.cache_clear()
        return analyse_wave(now, k=5, previous=prev, workers=workers)

    sampled = 0
    for _ in range(args.rounds):
        rec["wave"].append(timed(fresh_wave))
        rec["wave2"].append(timed(lambda: fresh_wave(2)))
        rec["valid"].append(timed(lambda: instrument_validity(
            now.values, now.item_dimension, now.item_reverse, points)))
        rec["floor"].append(timed(lambda: np.nanmean(now.values, axis=1)))
        units = rng.choice(n_units, args.units_per_round, replace=False)
        sampled += units.size
        c0 = time.process_time()
        per_unit = baseline.per_unit_seconds(units)
        cpu_per_unit = (time.process_time() - c0) / units.size
        icc_wall, icc_cpu = timed(baseline.icc_seconds)
        rec["pg"].append((per_unit * n_units + icc_wall, cpu_per_unit * n_units + icc_cpu))
    direct = np.bincount(now.unit, minlength=n_units)
    t_supp = min(timed(lambda: suppress(parent, direct, 5))[0] for _ in range(3))
    best = {k: (min(v[0] for v in r), min(v[1] for v in r)) for k, r in rec.items()}
    med = {k: (float(np.median([v[0] for v in r])), float(np.median([v[1] for v in r])))
           for k, r in rec.items()}
    print(f"| {n:,} respondents x {now.values.shape[1]} items, {n_units:,} units, "
          f"{now.n_dimensions} dimensions, previous wave of {n:,} | wall: best (median) of "
          f"{args.rounds} | CPU: best (median) |")
    print("|---|---|---|")
    rows = [("whole wave, analyse_wave (1 thread; pooling, evidence, rwg nulls and critical "
             "values included)", "wave"),
            ("whole wave, analyse_wave(workers=2)", "wave2"),
            ("construct validity, instrument_validity of the 40 items (1 thread)", "valid"),
            ("(b) floor: np.nanmean over the matrix", "floor"),
            (f"(a) pingouin, extrapolated from {sampled} sampled units to {n_units:,}", "pg")]
    for label, key in rows:
        print(f"| {label} | {best[key][0]:.3f} s ({med[key][0]:.3f} s) | "
              f"{best[key][1]:.3f} s ({med[key][1]:.3f} s) |")
    both = [(w[0] + v[0], w[1] + v[1]) for w, v in zip(rec["wave"], rec["valid"], strict=True)]
    best["both"] = (min(b[0] for b in both), min(b[1] for b in both))
    med["both"] = (float(np.median([b[0] for b in both])), float(np.median([b[1] for b in both])))
    print(f"| whole wave + construct validity (1 thread; goal <= 5 s) | {best['both'][0]:.3f} s "
          f"({med['both'][0]:.3f} s) | {best['both'][1]:.3f} s ({med['both'][1]:.3f} s) |")
    for label, num, den, goal in (("(a) pingouin / analyse_wave 1 thread", "pg", "wave", ">= 20x"),
                                  ("(a) pingouin / analyse_wave 2 threads", "pg", "wave2", ""),
                                  ("analyse_wave 1 thread / (b) floor", "wave", "floor", "<= 20x"),
                                  ("wave + validity / (b) floor", "both", "floor", "")):
        cpu = "-" if "wave2" in (num, den) else (
            f"{best[num][1] / best[den][1]:.1f}x ({med[num][1] / med[den][1]:.1f}x)")
        print(f"| ratio {label} {('(goal ' + goal + ')') if goal else ''} | "
              f"{best[num][0] / best[den][0]:.1f}x ({med[num][0] / med[den][0]:.1f}x) | {cpu} |")
    print(f"| suppression alone (tree only, {n_units:,} units) | {t_supp * 1000:.1f} ms | |")
    load = os.getloadavg()[0]
    print(f"| machine: {os.cpu_count()} cores | load average {load:.2f} at the end | |")


if __name__ == "__main__":
    main()
