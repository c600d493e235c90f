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

from analysis.disclosure import suppress
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


def time_best(fn, repeat: int) -> float:
    """Best wall time of `repeat` runs (the least disturbed by the other helpers' jobs)."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


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


def bench_pingouin(now: WaveData, prev: WaveData, sample_units: int, rng) -> tuple[float, int]:
    """Seconds per unit with pingouin on a random sample of units (+ ICC via pingouin.anova)."""
    import pandas as pd
    import pingouin as pg

    cols = [f"i{j}" for j in range(now.values.shape[1])]
    keyed = now.values.copy()
    a = np.asarray(now.dimension_points)[now.item_dimension]
    keyed[:, now.item_reverse] = a[now.item_reverse] + 1 - keyed[:, now.item_reverse]
    dims = {d: [c for c, dd in zip(cols, now.item_dimension, strict=True) if dd == d]
            for d in range(now.n_dimensions)}
    units = rng.choice(now.n_units, sample_units, replace=False)
    by_unit_now = {u: np.flatnonzero(now.unit == u) for u in units}
    by_unit_prev = {u: np.flatnonzero(prev.unit == u) for u in units}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pingouin/pandas deprecation chatter, not results
        t0 = time.perf_counter()
        for u in units:
            df_now = pd.DataFrame(keyed[by_unit_now[u]], columns=cols)
            df_prev = pd.DataFrame(prev.values[by_unit_prev[u]], columns=cols)
            pingouin_unit(df_now, df_prev, dims, now.dimension_points, now.dimension_collective)
        per_unit = (time.perf_counter() - t0) / sample_units
        # ICC(1)/(2) need one ANOVA per collective dimension over all respondents
        score = pd.DataFrame({"unit": now.unit, "y": np.nanmean(keyed[:, now.item_dimension == 4],
                                                               axis=1)})
        t1 = time.perf_counter()
        pg.anova(data=score.dropna(), dv="y", between="unit")
        anova = (time.perf_counter() - t1) * int(np.sum(now.dimension_collective))
    return per_unit, anova


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="100,000 x 40 in 100 units")
    ap.add_argument("--sample-units", type=int, default=20)
    args = ap.parse_args()
    n, n_units = (100_000, 100) if args.quick else (1_000_000, 1_000)
    rng = np.random.default_rng(20261130)
    parent = make_tree(rng, n_units)
    now = make_wave(rng, n, n_units, parent, 0.1)
    prev = make_wave(rng, n, n_units, parent, 0.0)
    repeat = 3
    t_wave = time_best(lambda: analyse_wave(now, k=5, previous=prev), repeat)
    t_floor = time_best(lambda: np.nanmean(now.values, axis=1), repeat)
    direct = np.bincount(now.unit, minlength=n_units)
    t_supp = time_best(lambda: suppress(parent, direct, 5), repeat)
    per_unit, anova = bench_pingouin(now, prev, min(args.sample_units, n_units), rng)
    t_pg = per_unit * n_units + anova
    print(f"| size | {n:,} respondents x {now.values.shape[1]} items, {n_units:,} units, "
          f"{now.n_dimensions} dimensions, previous wave of {n:,} |")
    print("|---|---|")
    print(f"| whole wave, analyse_wave (best of {repeat}) | {t_wave:.2f} s |")
    print(f"| (b) floor: np.nanmean over the matrix (best of {repeat}) | {t_floor:.3f} s |")
    print(f"| (a) pingouin per unit: {per_unit * 1000:.1f} ms/unit x {n_units:,} units "
          f"(sampled {min(args.sample_units, n_units)}) + ICC ANOVAs {anova:.2f} s "
          f"| {t_pg:.1f} s (extrapolated) |")
    print(f"| ratio pingouin / analyse_wave | {t_pg / t_wave:.1f}x (goal >= 20x) |")
    print(f"| ratio analyse_wave / floor | {t_wave / t_floor:.1f}x (goal <= 20x) |")
    print(f"| suppression alone (tree only) | {t_supp * 1000:.1f} ms |")
    print(f"| cores | {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} at the end |")


if __name__ == "__main__":
    main()
