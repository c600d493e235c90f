"""Fixtures: the R reference values and datasets in tests/data (see tests/data/README.md)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
CLOSED = 1e-10  # tolerance for closed-form statistics (reference README)
OPTIM = 1e-6  # tolerance for optimizer-based statistics (omega, noncentral-t CIs)


def load_csv(name: str) -> dict[str, list[str]]:
    """Columns of a reference CSV as lists of strings."""
    with (DATA / name).open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {col: [r[col] for r in rows] for col in rows[0]}


def numeric(cols: dict[str, list[str]], names: list[str]) -> np.ndarray:
    """(n, len(names)) float matrix; NA -> NaN."""
    return np.array([[np.nan if v == "NA" else float(v) for v in cols[c]] for c in names]).T


def values(d: dict) -> np.ndarray:
    """Values of a named R vector in order, None -> NaN."""
    return np.array([np.nan if v is None else v for v in d.values()], dtype=float)


@pytest.fixture(scope="session")
def expected() -> dict:
    """expected.json: dataset -> statistic -> {value, call}."""
    raw = json.loads((DATA / "expected.json").read_text())
    return {ds: {k: v["value"] for k, v in stats.items() if isinstance(v, dict)}
            for ds, stats in raw.items() if ds != "_meta"}


@pytest.fixture(scope="session")
def items_a() -> np.ndarray:
    """a_single_factor.csv (q3, q6 already reversed)."""
    return numeric(load_csv("a_single_factor.csv"), [f"q{i}" for i in range(1, 9)])


@pytest.fixture(scope="session")
def items_b() -> np.ndarray:
    """b_missing.csv."""
    return numeric(load_csv("b_missing.csv"), [f"q{i}" for i in range(1, 7)])
