"""Synthetic wave generator shared by the analysis tests (one-factor ordinal answers)."""

from __future__ import annotations

import numpy as np

from analysis.wave import WaveData


def random_tree(rng: np.random.Generator, n_units: int) -> np.ndarray:
    """A random unit tree: unit 0 is the root, every other unit has an earlier parent."""
    parent = np.full(n_units, -1, dtype=np.int64)
    for u in range(1, n_units):
        parent[u] = rng.integers(0, u)
    return parent


def synthetic_wave(rng: np.random.Generator, n: int, n_units: int, items_per_dim=(4, 5, 3),
                   points=(5, 6, 5), collective=(True, False, True), shift: float = 0.0,
                   missing: float = 0.05, parent: np.ndarray | None = None,
                   n_cut: int = 2) -> WaveData:
    """Answers from a one-factor model with unit effects, reverse items and missing answers."""
    dims = np.repeat(np.arange(len(items_per_dim)), items_per_dim)
    pts = np.asarray(points, dtype=np.int64)
    unit = rng.integers(0, n_units, n)
    unit_effect = rng.normal(0, 0.4, n_units)
    latent = rng.normal(0, 1, n) + unit_effect[unit] + shift
    raw = latent[:, None] * 0.8 + rng.normal(0, 0.7, (n, dims.size))
    a = pts[dims]
    x = np.clip(np.round((a + 1) / 2 + raw), 1, a).astype(np.float64)
    reverse = np.zeros(dims.size, dtype=bool)
    reverse[::3] = True
    x[:, reverse] = a[reverse] + 1 - x[:, reverse]
    x[rng.random(x.shape) < missing] = np.nan
    cut = rng.integers(-1, n_cut, n) if n_cut else None
    return WaveData(
        values=x, unit=unit, item_dimension=dims, item_reverse=reverse,
        dimension_points=pts, dimension_collective=np.asarray(collective, dtype=bool),
        unit_parent=random_tree(rng, n_units) if parent is None else parent, cut=cut,
        n_cut_categories=n_cut,
    )
