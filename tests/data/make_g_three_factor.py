"""Write g_three_factor.csv: 400 respondents x 12 items on 1..5, three correlated factors.

    .venv/bin/python tests/data/make_g_three_factor.py

Known structure (the truth the validity tests and tests/data/validity.R check against):
factors F1, F2, F3 with correlations r(F1,F2) = .4, r(F1,F3) = .5, r(F2,F3) = .6; items
d1_1..d1_4 load on F1, d2_* on F2, d3_* on F3 with loadings .8, .7, .6, .75 (standardized
continuous model x* = l F + sqrt(1 - l^2) e); answers are round(3 + 1.2 x*) clipped to 1..5.
Seed: numpy default_rng([20240917, 7]) (stream 7, after the reference datasets' streams).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

N = 400
PHI = np.array([[1.0, 0.4, 0.5], [0.4, 1.0, 0.6], [0.5, 0.6, 1.0]])
LOADINGS = (0.8, 0.7, 0.6, 0.75)
OUT = Path(__file__).resolve().parent / "g_three_factor.csv"


def generate(rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Item names and the (N, 12) integer answers."""
    factors = rng.multivariate_normal(np.zeros(3), PHI, size=N, method="cholesky")
    lam = np.asarray(LOADINGS)
    cols, names = [], []
    for f in range(3):
        noise = rng.standard_normal((N, lam.size))
        cols.append(factors[:, [f]] * lam + np.sqrt(1 - lam**2) * noise)
        names += [f"d{f + 1}_{i + 1}" for i in range(lam.size)]
    latent = np.hstack(cols)
    return names, np.clip(np.round(3 + 1.2 * latent), 1, 5).astype(int)


def main() -> None:
    names, x = generate(np.random.default_rng([20240917, 7]))
    with OUT.open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(names)
        w.writerows(x.tolist())


if __name__ == "__main__":
    main()
