"""The one evidence standard (analysis.evidence): pooled differences, verdicts, pooled means.

Rules are checked on hand-made inputs; the whole chain (analyse_wave -> verdicts) against
organisations simulated with known truth (bench/small_units.py, small here, 3,000 there).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis import evidence as ev
from analysis.pooling import eb_pool

ONES = np.ones((6, 1), dtype=bool)


def _judge(direct, variance, mdc, family=None, eligible=None, df=30.0, sd=1.0):
    y = np.asarray(direct, dtype=float)[:, None]
    return ev.judge(y, np.asarray(variance, dtype=float)[:, None], np.full(y.shape, df),
                    np.asarray(mdc, dtype=float)[:, None], np.array([sd]),
                    np.zeros(y.shape[0], dtype=int) if family is None else np.asarray(family),
                    ONES[:y.shape[0]] if eligible is None else np.asarray(eligible)[:, None])


def test_pooled_cells_are_morris_estimates_with_95_percent_intervals():
    y, v = np.array([0.9, 0.1, -0.2, 0.0, 0.1, 0.3]), np.full(6, 0.04)
    j = _judge(y, v, np.full(6, 0.3))
    ref = eb_pool(y, v)
    np.testing.assert_allclose(j.estimate[:, 0], ref.estimate)
    np.testing.assert_allclose(j.ci_high[:, 0] - j.estimate[:, 0], 1.959964 * ref.se, rtol=1e-6)
    assert list(j.verdict[:, 0]) == [ev.HIGHER] + [ev.NO_CLEAR] * 5


def test_fewer_than_four_peers_use_the_direct_estimate_and_its_t_interval():
    j = _judge([2.0, 0.1, -3.0], [0.25, 0.25, 0.25], [0.5] * 3, df=12.0)
    np.testing.assert_allclose(j.estimate[:, 0], [2.0, 0.1, -3.0])
    half = stats.t.ppf(0.975, 12.0) * 0.5
    np.testing.assert_allclose(j.ci_low[:, 0], np.array([2.0, 0.1, -3.0]) - half)
    assert list(j.verdict[:, 0]) == [ev.HIGHER, ev.NO_CLEAR, ev.LOWER]
    assert np.isnan(j.shrinkage).all()


def test_a_clear_difference_the_unit_could_barely_see_gets_no_verdict():
    # interval excludes 0 but MDC > 2 x estimate: an exaggerated estimate, no verdict
    j = _judge([2.0, 0.1, -3.0], [0.25] * 3, [4.5, 0.5, 0.5], sd=10.0)
    assert list(j.verdict[:, 0]) == [ev.NO_CLEAR, ev.NO_CLEAR, ev.LOWER]


def test_units_that_cannot_detect_a_large_difference_are_too_small_to_tell():
    j = _judge([0.1, 0.2, 0.0], [0.25] * 3, [0.79, 0.81, 2.0], sd=1.0)
    assert list(j.verdict[:, 0]) == [ev.NO_CLEAR, ev.TOO_SMALL, ev.TOO_SMALL]


def test_many_null_units_are_held_back_by_the_false_discovery_rate():
    # 40 units whose direct z are 2.2 or 0: each 95% interval of the large ones excludes 0,
    # but 4 such p = .028 among 40 do not survive BH at .05
    y = np.r_[np.full(4, 2.2), np.zeros(36)] * 0.5
    j = ev.judge(y[:, None], np.full((40, 1), 0.25), np.full((40, 1), 1e6),
                 np.full((40, 1), 0.1), np.array([10.0]), np.arange(40),
                 np.ones((40, 1), dtype=bool))
    assert (j.ci_low[:4, 0] > 0).all()
    assert (j.q[:4, 0] > ev.FDR).all()
    assert set(j.verdict[:, 0]) == {ev.NO_CLEAR}


def test_ineligible_or_undefined_cells_are_not_computable_and_do_not_move_the_peers():
    base = _judge([0.9, 0.1, -0.2, 0.0, 0.1], [0.04] * 5, [0.3] * 5)
    extra = _judge([0.9, 0.1, -0.2, 0.0, 0.1, 50.0], [0.04] * 5 + [0.04], [0.3] * 6,
                   eligible=[True] * 5 + [False])
    nan = _judge([0.9, 0.1, -0.2, 0.0, 0.1, np.nan], [0.04] * 6, [0.3] * 6)
    for j in (extra, nan):
        assert j.verdict[5, 0] == ev.NOT_COMPUTABLE and np.isnan(j.estimate[5, 0])
        np.testing.assert_allclose(j.estimate[:5, 0], base.estimate[:, 0])


def test_a_difference_known_exactly_is_neither_pooled_nor_widened():
    j = _judge([0.9, 0.1, -0.2, 0.0, 0.1, 0.4], [0.04] * 5 + [0.0], [0.3] * 6)
    assert j.estimate[5, 0] == j.ci_low[5, 0] == j.ci_high[5, 0] == 0.4


def test_finite_population_factor():
    f = ev.finite_population_factor([5, 10, 10, 10, 4], [10, 10, np.nan, 8, 1])
    np.testing.assert_allclose(f, [5 / 9, 0.0, 1.0, 1.0, 1.0])


def test_pooled_means_of_units_where_everyone_answered_are_exact():
    mean = np.array([[3.0], [3.4], [2.6], [3.1], [2.9]])
    n = np.array([[10], [8], [6], [12], [9]])
    pop = np.array([10.0, 20.0, 20.0, 30.0, np.nan])
    p = ev.pool_means(mean, np.array([0.8]), n, pop, np.zeros(5, dtype=int),
                      np.ones((5, 1), dtype=bool))
    assert p.estimate[0, 0] == p.ci_low[0, 0] == p.ci_high[0, 0] == 3.0
    assert (p.ci_high[1:, 0] > p.ci_low[1:, 0]).all()
    # the others are pooled with the FPC-reduced variances 0.8/n x (N-n)/(N-1)
    v = 0.8 / n[1:, 0] * np.array([12 / 19, 14 / 19, 18 / 29, 1.0])
    np.testing.assert_allclose(p.estimate[1:, 0], eb_pool(mean[1:, 0], v).estimate)


@pytest.fixture(scope="module")
def study():
    from bench.small_units import run

    return run(orgs=60, seed=5, effect=20.0)


def test_the_verdicts_of_the_reports_analysis_meet_the_goals_on_known_truth(study):
    """60 organisations with the demo's sizes (3,000 in bench/small_units.md)."""
    after, before = study.change_after, study.change_before
    assert after.verdicts >= 15
    assert after.wrong_share <= 0.05
    assert after.verdicts < before.verdicts
    assert 0.93 <= after.coverage <= 0.97
    assert study.compare_after.wrong_share <= 0.05
    assert 0.93 <= study.compare_after.coverage <= 0.97
    assert 0.93 <= study.score_after.coverage <= 0.97
