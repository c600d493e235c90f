"""Unit vs rest, percentile ranks, SKM index and Krejcie & Morgan sample sizes."""

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from analysis import compare, skm, trends
from analysis.errors import AnalysisInputError
from analysis.skm import priority_unsur


def test_unit_vs_rest_equals_welch_on_raw_data():
    rng = np.random.default_rng(7)
    org = rng.normal(3.5, 0.6, 200)
    unit = org[:40]
    res = compare.unit_vs_rest(40, unit.mean() - 3, unit.var(ddof=1), 200, org.mean() - 3,
                               org.var(ddof=1))
    ref = trends.welch_t(org[40:], unit)
    for field in ("t", "df", "p", "ci_low", "ci_high", "diff"):
        assert float(getattr(res, field)) == pytest.approx(float(getattr(ref, field)), abs=1e-10)


def test_percentile_rank_mid_rank_within_peers():
    v = np.array([1.0, 2.0, 2.0, 4.0, np.nan, 9.0])
    peers = np.array([0, 0, 0, 0, 0, 1])
    p = compare.percentile_rank(v, peers)
    np.testing.assert_allclose(p[:4], [12.5, 50.0, 50.0, 87.5])
    assert np.isnan(p[4]) and p[5] == 50.0


def test_skm_index_by_hand():
    x = np.tile(np.array([[4, 3, 3, 4, 2, 3, 4, 4, 3]], float), (4, 1))
    x[0, 0] = 2
    r = skm.skm_index(x)
    nrr = x.mean(axis=0)
    assert r.nrr.tolist() == nrr.tolist()
    assert r.ikm == pytest.approx(nrr.sum() / 9, abs=1e-12)
    assert r.converted == pytest.approx(25 * nrr.sum() / 9, abs=1e-12)
    assert r.mutu == "B" and r.kinerja == "baik"  # 25 * 3.2778 = 81.94


@pytest.mark.parametrize(("converted", "mutu"), [
    # the regulation's exact limits
    (25.0, "D"), (64.99, "D"), (65.0, "C"), (76.60, "C"), (76.61, "B"), (88.30, "B"),
    (88.31, "A"), (100.0, "A"),
    # inside the published gaps: graded as printed; the floats are stored just above the
    # ties (64.99500000000000454..., 76.60500000000000398..., 88.30500000000000682...)
    (64.995, "C"), (76.605, "B"), (88.305, "A"),
    (64.9949999, "D"), (76.6049999, "C"), (88.3049999, "B"),
    # exact ties, given exactly: half away from zero
    (Fraction(12999, 200), "C"), (Fraction(15321, 200), "B"), (Fraction(17661, 200), "A"),
    (Decimal("88.305"), "A"), (Decimal("88.3049"), "B"), (24.996, "D")])
def test_mutu_grades_the_printed_converted_value(converted, mutu):
    assert skm.mutu_for(converted) == mutu


@pytest.mark.parametrize("converted", [64.995, 76.605, 88.305, 88.3049999, 76.6, 81.9444])
def test_grade_agrees_with_the_printed_value(converted):
    printed = skm.round_converted(converted)
    assert printed == Decimal(f"{converted:.2f}")  # correctly rounded, no tie among these
    limits = {"A": ("88.31", "100.00"), "B": ("76.61", "88.30"), "C": ("65.00", "76.60"),
              "D": ("25.00", "64.99")}
    low, high = limits[skm.mutu_for(converted)]
    assert Decimal(low) <= printed <= Decimal(high)


@pytest.mark.parametrize("converted", [24.99, 100.006, float("nan"), float("inf")])
def test_mutu_refuses_values_outside_the_scale(converted):
    with pytest.raises(ValueError, match="outside 25..100"):
        skm.mutu_for(converted)


def test_skm_rejects_out_of_range():
    x = np.full((2, 9), 3.0)
    x[1, 4] = 5
    with pytest.raises(ValueError, match="row 1, U5"):
        skm.skm_index(x)


@pytest.mark.parametrize(("population", "sample"), [
    (10, 10), (50, 44), (100, 80), (500, 217), (1000, 278), (5000, 357), (10000, 370),
    (1000000, 384)])
def test_krejcie_morgan_reproduces_table(population, sample):
    assert skm.krejcie_morgan(population) == sample


def test_sample_adequacy():
    a = skm.sample_adequacy(279, 1000)
    assert a.required == 278 and a.adequate
    assert not skm.sample_adequacy(277, 1000).adequate
    with pytest.raises(ValueError, match="population"):
        skm.sample_adequacy(10, 0)


# ---------------------------------------------------------------- follow-up priorities

@pytest.mark.parametrize(("nrr", "expected"), [
    # U3 alone grades C on its own (3.00 x 25 = 75.00 < 76.61)
    ([3.2, 3.1, 3.0, 3.5, 3.3, 3.3, 3.3, 3.3, 3.3], (2,)),
    # two below B (C and D): both, whatever the rest
    ([2.5, 3.9, 3.9, 3.0, 3.9, 3.9, 3.9, 3.9, 3.9], (0, 3)),
    # none below B: the lowest, ties as printed (3.104 and 3.096 both print 3,10)
    ([3.2, 3.104, 3.096, 3.5, 3.3, 3.3, 3.3, 3.3, 3.3], (1, 2)),
    # 3.0643 x 25 = 76.6075 prints 76,61: grade B, so the lowest rule applies
    ([3.0644, 3.0643, 3.1, 3.5, 3.3, 3.3, 3.3, 3.3, 3.3], (0, 1)),
    # 3.0641 x 25 = 76.6025 prints 76,60: grade C
    ([3.0641, 3.07, 3.1, 3.5, 3.3, 3.3, 3.3, 3.3, 3.3], (0,)),
])
def test_priority_unsur_below_b_else_the_lowest(nrr, expected):
    assert priority_unsur(nrr) == expected


def test_priority_unsur_refuses_missing_values():
    with pytest.raises(AnalysisInputError):
        priority_unsur([3.0, float("nan")])
    with pytest.raises(AnalysisInputError):
        priority_unsur([])


# ---------------------------------------------------------------- culture against IKM

def test_spearman_interval_matches_scipy_and_the_bonett_wright_formula():
    from scipy import stats

    from analysis.compare import spearman_interval

    x = [70.1, 64.2, 80.5, 75.0, 75.0, 58.3, 91.0, 66.6, 72.2, 69.9, 88.1, float("nan")]
    y = [3.10, 2.95, 3.40, 3.05, 3.22, 2.80, 3.61, 3.30, 3.00, 2.90, 3.44, 3.50]
    r = spearman_interval(x, y)
    ref = stats.spearmanr(x[:-1], y[:-1])
    assert r.n == 11 and r.rho == pytest.approx(ref.statistic, abs=1e-12)
    # by hand: z = atanh(rho), SE = sqrt((1 + rho^2/2)/(n-3)), 1.959964 for 95%
    se = np.sqrt((1 + r.rho**2 / 2) / 8)
    assert r.ci_low == pytest.approx(np.tanh(np.arctanh(r.rho) - 1.959963984540054 * se))
    assert r.ci_high == pytest.approx(np.tanh(np.arctanh(r.rho) + 1.959963984540054 * se))


def test_spearman_interval_covers_the_truth_in_simulation():
    from analysis.compare import spearman_interval

    rng = np.random.default_rng(11)
    cov = [[1, 0.5], [0.5, 1]]
    true = 6 / np.pi * np.arcsin(0.5 / 2)  # Spearman's rho of a bivariate normal, r = .5
    hits = 0
    for _ in range(1000):
        x, y = rng.multivariate_normal([0, 0], cov, size=40).T
        r = spearman_interval(x, y)
        hits += r.ci_low <= true <= r.ci_high
    assert 0.93 <= hits / 1000 <= 0.97


def test_spearman_interval_gives_nothing_below_four_pairs_or_without_variation():
    from analysis.compare import spearman_interval

    assert np.isnan(spearman_interval([1, 2, 3], [3, 2, 1]).rho)
    assert np.isnan(spearman_interval([1, 1, 1, 1, 1], [1, 2, 3, 4, 5]).rho)
