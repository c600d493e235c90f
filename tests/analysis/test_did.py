"""analysis.did: difference in differences of one targeted unit against comparison units,
pinned to metafor's random-effects meta-regression (tests/data/did.R) and checked on
simulated organisations with known truth."""

from __future__ import annotations

import doctest
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import analysis.did
from analysis.did import (
    LESS,
    MIN_COMPARISON,
    MORE,
    NOT_ENOUGH,
    NOT_ESTIMABLE,
    TOO_FEW_COMPARISON,
    TREATED_HIDDEN,
    DidEstimate,
    difference_in_differences,
    judge_family,
    meta_regression,
    unit_se,
)
from analysis.errors import AnalysisInputError

EXPECTED = json.loads((Path(__file__).resolve().parent.parent / "data" /
                       "did_expected.json").read_text())
# metafor 3.8.1 at threshold 1e-14: tau2 agrees to ~6e-13 relative (REML's Fisher scoring on
# both sides); the closed-form parts (b, se, CI, p) follow from tau2 to ~1e-13.
TAU2_TOL = 1e-9
CLOSED_TOL = 1e-9


def _did(case: dict[str, Any], method: str) -> DidEstimate:
    b, a, sb, sa = (np.array(case[k]) for k in ("before", "after", "se_before", "se_after"))
    return difference_in_differences((b[0], a[0]), (sb[0], sa[0]), b[1:], a[1:], sb[1:],
                                     sa[1:], method=method)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["REML", "DL"])
@pytest.mark.parametrize("case", range(len(EXPECTED["cases"])))
def test_matches_metafor_meta_regression_on_a_treated_indicator(case: int, method: str) -> None:
    """rma(yi, vi, mods = ~ treated): tau2, both coefficients, their SEs, the CI and p."""
    cs = EXPECTED["cases"][case]
    r, ref = _did(cs, method), cs[method]
    assert r.between_var == pytest.approx(ref["tau2"], rel=TAU2_TOL, abs=1e-12)
    assert r.comparison_change == pytest.approx(ref["b"][0], abs=CLOSED_TOL)
    assert r.difference == pytest.approx(ref["b"][1], abs=CLOSED_TOL)
    assert r.comparison_se == pytest.approx(ref["se"][0], abs=CLOSED_TOL)
    assert r.se == pytest.approx(ref["se"][1], abs=CLOSED_TOL)
    assert (r.ci_low, r.ci_high) == pytest.approx((ref["ci_lb"], ref["ci_ub"]), abs=CLOSED_TOL)
    assert r.p == pytest.approx(ref["pval"], rel=1e-9, abs=1e-15)
    assert r.n_comparison == len(cs["before"]) - 1
    assert r.treated_change == pytest.approx(cs["after"][0] - cs["before"][0], abs=1e-12)


def test_the_cases_cover_zero_and_positive_between_unit_variance() -> None:
    tau2 = [cs["REML"]["tau2"] for cs in EXPECTED["cases"]]
    assert min(tau2) == 0.0 and max(tau2) > 10.0
    assert EXPECTED["metafor"] == "3.8.1"


@pytest.mark.parametrize("method", ["REML", "DL"])
def test_the_full_meta_regression_equals_the_comparison_only_fit(method: str) -> None:
    """meta_regression on all units with the treated column gives metafor's numbers too (the
    treated unit carries no information on tau2)."""
    cs = EXPECTED["cases"][1]
    y = np.array(cs["after"]) - np.array(cs["before"])
    v = np.array(cs["se_before"]) ** 2 + np.array(cs["se_after"]) ** 2
    x = np.column_stack([np.ones(y.size), np.r_[1.0, np.zeros(y.size - 1)]])
    fit = meta_regression(y, v, x, method=method)  # type: ignore[arg-type]
    assert fit.tau2 == pytest.approx(cs[method]["tau2"], rel=TAU2_TOL)
    assert fit.beta == pytest.approx(cs[method]["b"], abs=CLOSED_TOL)
    assert np.sqrt(np.diag(fit.cov)) == pytest.approx(cs[method]["se"], abs=CLOSED_TOL)


def test_verdict_of_the_first_case_is_more_and_the_others_not_enough() -> None:
    verdicts = [_did(cs, "REML").verdict for cs in EXPECTED["cases"]]
    assert verdicts == [MORE, NOT_ENOUGH, NOT_ENOUGH, NOT_ENOUGH]


def test_a_clear_drop_is_less() -> None:
    r = difference_in_differences((60.0, 40.0), (2.0, 2.0), np.full(6, 50.0),
                                  np.array([50.0, 51, 49, 50, 50.5, 49.5]),
                                  np.full(6, 2.0), np.full(6, 2.0))
    assert r.verdict == LESS and r.ci_high < 0


def test_interval_excluding_zero_is_not_enough_when_the_mdd_is_too_large() -> None:
    """The evidence standard's size rule: a difference whose interval excludes 0 does not
    count when the unit's own minimum detectable change (from its few respondents) is more
    than 2 x the estimate; it does when the unit could see it."""
    args = ((50.0, 58.0), (2.5, 2.5), np.full(8, 50.0), np.full(8, 50.0), np.full(8, 1.0),
            np.full(8, 1.0))
    alone = difference_in_differences(*args)
    assert alone.ci_low > 0 and alone.verdict == MORE
    assert alone.mdd == pytest.approx(2.8016 * alone.se, abs=1e-3)
    small = difference_in_differences(*args, treated_mdc=37.4)  # n = 5 in each wave
    assert small.mdd == 37.4 and small.ci_low == alone.ci_low
    assert small.verdict == NOT_ENOUGH
    assert difference_in_differences(*args, treated_mdc=15.0).verdict == MORE


def test_hidden_treated_unit_is_not_estimable_with_the_reason() -> None:
    for treated in [(None, 55.0), (50.0, None), (float("nan"), 55.0)]:
        r = difference_in_differences(treated, (2.0, 2.0), np.full(5, 50.0),
                                      np.full(5, 51.0), np.full(5, 2.0), np.full(5, 2.0))
        assert (r.verdict, r.reason, r.estimable) == (NOT_ESTIMABLE, TREATED_HIDDEN, False)
        assert np.isnan(r.difference) and np.isnan(r.ci_low)


def test_hidden_comparison_units_are_dropped_or_refused() -> None:
    before = np.array([50.0, np.nan, 52.0, 49.0, 51.0, 48.0])
    after = np.array([51.0, 50.0, np.nan, 50.0, 52.0, 49.0])
    se = np.full(6, 2.0)
    r = difference_in_differences((50.0, 55.0), (2.0, 2.0), before, after, se, se)
    assert r.n_comparison == MIN_COMPARISON == 4
    full = difference_in_differences((50.0, 55.0), (2.0, 2.0), before[[0, 3, 4, 5]],
                                     after[[0, 3, 4, 5]], se[:4], se[:4])
    assert r.difference == full.difference and r.se == full.se
    with pytest.raises(AnalysisInputError, match="missing"):
        difference_in_differences((50.0, 55.0), (2.0, 2.0), before, after, se, se,
                                  hidden_comparison="raise")


def test_too_few_comparison_units_is_not_estimable() -> None:
    r = difference_in_differences((50.0, 70.0), (2.0, 2.0), np.full(3, 50.0),
                                  np.full(3, 50.0), np.full(3, 2.0), np.full(3, 2.0))
    assert (r.verdict, r.reason, r.n_comparison) == (NOT_ESTIMABLE, TOO_FEW_COMPARISON, 3)
    assert r.treated_change == 20.0  # the unit's own change is still known
    lower = difference_in_differences((50.0, 70.0), (2.0, 2.0), np.full(3, 50.0),
                                      np.array([50.0, 51, 49]), np.full(3, 2.0),
                                      np.full(3, 2.0), min_comparison=3)
    assert lower.estimable


def test_exact_comparison_units_are_dropped_or_refused() -> None:
    before = np.array([50.0, 52.0, 49.0, 51.0, 48.0])
    se_b = np.array([0.0, 2.0, 2.0, 2.0, 2.0])
    se_a = np.array([0.0, 2.0, 2.0, 2.0, 2.0])
    r = difference_in_differences((50.0, 55.0), (2.0, 2.0), before, before + 1, se_b, se_a)
    assert r.n_comparison == 4
    with pytest.raises(AnalysisInputError, match="variance 0"):
        difference_in_differences((50.0, 55.0), (2.0, 2.0), before, before + 1, se_b, se_a,
                                  exact_comparison="raise")


def test_an_exactly_known_treated_unit_still_carries_the_between_unit_variance() -> None:
    comp_after = np.array([51.0, 58.0, 44.0, 55.0, 47.0, 53.0])
    r = difference_in_differences((50.0, 60.0), (0.0, 0.0), np.full(6, 50.0), comp_after,
                                  np.full(6, 1.0), np.full(6, 1.0))
    assert r.treated_se == 0.0 and r.between_var > 0
    assert r.se == pytest.approx(np.sqrt(r.between_var + r.comparison_se ** 2))


def test_bad_input_is_refused() -> None:
    with pytest.raises(AnalysisInputError, match="same length"):
        difference_in_differences((50.0, 55.0), (2.0, 2.0), np.ones(5), np.ones(4),
                                  np.ones(5), np.ones(5))
    with pytest.raises(AnalysisInputError, match="negative"):
        difference_in_differences((50.0, 55.0), (2.0, 2.0), np.ones(5), np.ones(5),
                                  -np.ones(5), np.ones(5))
    with pytest.raises(AnalysisInputError, match="method"):
        difference_in_differences((50.0, 55.0), (2.0, 2.0), np.arange(5.0), np.ones(5),
                                  np.ones(5), np.ones(5), method="ML")  # type: ignore[arg-type]


def test_judge_family_applies_benjamini_hochberg_across_the_family() -> None:
    """Two differences judged alone count; judged together with seven null ones, the weaker
    one's BH q exceeds 5% and it no longer counts. Not-estimable ones are left as they are."""
    comp = (np.full(8, 50.0), np.array([50.0, 51, 49, 50, 50.5, 49.5, 50, 50]),
            np.full(8, 1.5), np.full(8, 1.5))
    strong = difference_in_differences((50.0, 65.0), (1.5, 1.5), *comp)
    weak = difference_in_differences((50.0, 55.0), (1.5, 1.5), *comp)
    assert strong.verdict == weak.verdict == MORE and 0.01 < weak.p < 0.05
    null = difference_in_differences((50.0, 50.0), (1.5, 1.5), *comp)
    hidden = difference_in_differences((None, 50.0), (1.5, 1.5), *comp)
    judged = judge_family([strong, weak, *[null] * 7, hidden])
    assert judged[0].verdict == MORE and judged[1].verdict == NOT_ENOUGH
    assert judged[1].q > 0.05 and judged[1].p == weak.p
    assert judged[-1] == hidden
    assert judge_family([]) == []


def _simulate(rng: np.random.Generator, effect: float, m: int = 12
              ) -> tuple[DidEstimate, float]:
    """One organisation: m comparison units and one treated unit, true changes differing by
    tau = 4 points, sampling SEs of 2-6 points per wave (n = 10-80 at SD 18.5)."""
    true_change = rng.normal(1.0, 4.0, m + 1)
    true_change[0] += effect
    before_true = rng.normal(55.0, 8.0, m + 1)
    se_b, se_a = rng.uniform(2.0, 6.0, m + 1), rng.uniform(2.0, 6.0, m + 1)
    before = before_true + rng.normal(0.0, se_b)
    after = before_true + true_change + rng.normal(0.0, se_a)
    r = difference_in_differences((before[0], after[0]), (se_b[0], se_a[0]), before[1:],
                                  after[1:], se_b[1:], se_a[1:])
    return r, effect


def test_simulated_intervals_cover_the_true_difference_and_find_a_large_one() -> None:
    """200 organisations with no effect: the 95% interval covers the true difference (0)
    90-99% of the time and the verdict is rarely a difference; 200 with a large true gain
    (25 points): the sign is recovered and never reversed."""
    rng = np.random.default_rng(20261208)
    null = [_simulate(rng, 0.0)[0] for _ in range(200)]
    coverage = np.mean([r.ci_low <= 0.0 <= r.ci_high for r in null])
    assert 0.90 <= coverage <= 0.99
    assert np.mean([r.verdict != NOT_ENOUGH for r in null]) <= 0.06
    big = [_simulate(rng, 25.0)[0] for _ in range(200)]
    cover_big = np.mean([r.ci_low <= 25.0 <= r.ci_high for r in big])
    assert 0.90 <= cover_big <= 0.99
    assert np.mean([r.verdict == MORE for r in big]) >= 0.8
    assert not any(r.verdict == LESS for r in big)


def test_unit_se_adds_back_what_the_finite_population_correction_removed() -> None:
    se = unit_se([1.0, 1.0, 2.0, 3.0], [18.5, 18.5, 18.5, 10.0], [10, 10, 5, 5],
                 [10, 20, np.nan, 4])
    assert se[0] == pytest.approx(np.sqrt(1 + 18.5 ** 2 / 10))  # everyone answered
    assert se[1] == pytest.approx(np.sqrt(1 + 18.5 ** 2 / 10 * (1 - 10 / 19)))
    assert se[2] == 2.0  # staff unknown: the interval is taken as it is
    assert se[3] == 3.0  # an out-of-date count (N < n): no correction was applied either


def test_docstring_example() -> None:
    assert doctest.testmod(analysis.did).failed == 0
