"""analysis.pooling: empirical Bayes pooling of unit estimates and the minimum detectable
change, checked on simulated data with known truth, against the noncentral t and against
metafor's empirical Bayes estimator."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from analysis.errors import AnalysisInputError
from analysis.pooling import eb_pool, minimum_detectable_change


def test_intervals_cover_the_true_values_95_percent_of_the_time():
    """Normal-normal model with known truth (24 units of 5-30, the demo's sizes): the 95%
    intervals of 400 organisations cover the true unit values 93-97% of the time."""
    rng = np.random.default_rng(7)
    covered = total = 0
    for _ in range(400):
        n = rng.choice([5, 6, 8, 10, 12, 15, 20, 30], size=24)
        truth = rng.normal(2.0, 4.0, 24)
        v = 18.5 ** 2 * 2.0 / n
        res = eb_pool(truth + rng.normal(0.0, np.sqrt(v)), v)
        covered += int(np.sum((res.ci_low <= truth) & (truth <= res.ci_high)))
        total += truth.size
    assert 0.93 <= covered / total <= 0.97


def test_pooled_estimates_lie_between_the_unit_and_the_pooled_mean():
    y = np.array([12.0, -8.0, 3.0, 25.0, -1.0, 6.0])
    v = np.array([40.0, 90.0, 20.0, 150.0, 60.0, 30.0])
    res = eb_pool(y, v)
    assert np.all((res.shrinkage > 0) & (res.shrinkage < 1))
    assert np.all(np.abs(res.estimate - res.mean) <= np.abs(y - res.mean) + 1e-12)
    # the noisiest unit is pulled the most
    assert int(np.argmax(res.shrinkage)) == int(np.argmax(v))
    assert np.all(res.ci_low < res.estimate) and np.all(res.estimate < res.ci_high)


def test_units_that_do_not_differ_are_pooled_to_their_mean():
    res = eb_pool(np.zeros(8) + 3.0, np.full(8, 5.0))
    assert res.between_var == 0.0
    np.testing.assert_allclose(res.estimate, 3.0 + (1 - 5 / 7) * 0.0, atol=1e-12)
    np.testing.assert_allclose(res.shrinkage, 5 / 7)


@pytest.mark.parametrize("n", [5, 10, 20, 240])
def test_a_change_of_the_minimum_detectable_size_is_detected_80_percent_of_the_time(n):
    """Independent check: the power of the two-sample t test (noncentral t) at the MDC."""
    sd = 18.5
    mdc = float(minimum_detectable_change(sd, n, n))
    df = 2 * n - 2
    nc = mdc / (sd * np.sqrt(2.0 / n))
    crit = stats.t.ppf(0.975, df)
    power = stats.nct.sf(crit, df, nc) + stats.nct.cdf(-crit, df, nc)
    assert power == pytest.approx(0.80, abs=0.02)


def test_minimum_detectable_change_needs_two_per_group():
    out = minimum_detectable_change(18.5, [1, 5], [5, 1])
    assert np.isnan(out).all()


@pytest.mark.parametrize(("y", "v", "message"), [
    ([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], "at least 4 units"),
    ([1.0, 2.0, 3.0, np.nan], [1.0] * 4, "finite"),
    ([1.0, 2.0, 3.0, 4.0], [1.0, 0.0, 1.0, 1.0], "positive"),
    ([1.0, 2.0, 3.0, 4.0], [1.0, 1.0], "same length"),
])
def test_bad_input_is_refused_with_a_reason(y, v, message):
    with pytest.raises(AnalysisInputError, match=message):
        eb_pool(y, v)


def _metafor_cases():
    with open(Path(__file__).resolve().parents[1] / "data" / "pooling_expected.json",
              encoding="utf-8") as fh:
        return json.load(fh)["cases"]


@pytest.mark.parametrize("case", _metafor_cases(), ids=["unequal", "unit_changes", "tau2_0"])
def test_eb_pool_matches_metafor_eb(case):
    """Pinned to metafor 3.8.1 rma(method = "EB") and blup() (tests/data/pooling.R)."""
    y, v = np.array(case["y"]), np.array(case["v"])
    res = eb_pool(y, v)
    assert res.between_var == pytest.approx(case["tau2"], rel=1e-10, abs=1e-12)
    assert res.mean == pytest.approx(case["mu"], rel=1e-10, abs=1e-12)
    # metafor's BLUP weight is tau2 / (tau2 + v); Morris's shrinkage is (k-3)/(k-1) x (1 - it)
    k = y.size
    blup = np.array(case["blup"])
    want = y - (k - 3) / (k - 1) * (y - blup)
    np.testing.assert_allclose(res.estimate, want, rtol=1e-10, atol=1e-12)
