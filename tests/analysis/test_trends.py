"""Welch, Hedges' g, Mann-Kendall and BH against R (tests/data/expected.json)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import trends as tr
from tests.analysis.conftest import CLOSED, OPTIM, load_csv, numeric, values


@pytest.fixture(scope="module")
def waves():
    cols = load_csv("d_waves.csv")
    score = numeric(cols, [f"q{i}" for i in range(1, 6)]).mean(axis=1)
    labels = np.array(cols["wave"])
    return {w: score[labels == w] for w in ("W1", "W2", "W3")}


PAIRS = [("W1", "W2"), ("W2", "W3"), ("W1", "W3")]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_welch_matches_t_test(waves, expected, a, b):
    e = expected["d_waves.csv"][f"{b}_vs_{a}_welch"]
    r = tr.welch_t(waves[a], waves[b])
    got = (r.t, r.df, r.p, r.ci_low, r.ci_high, r.diff)
    want = (e["t"], e["df"], e["p"], e["ci_lower"], e["ci_upper"], e["mean_diff"])
    np.testing.assert_allclose(np.array(got, dtype=float), want, atol=CLOSED, rtol=0)
    assert r.reason == ""


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_hedges_g_matches_effectsize(waves, expected, a, b):
    e = expected["d_waves.csv"]
    h = tr.hedges_g(waves[a], waves[b])
    assert float(h.j) == pytest.approx(e[f"{b}_vs_{a}_hedges_J_exact"], abs=CLOSED)
    assert float(h.d) == pytest.approx(e[f"{b}_vs_{a}_cohens_d_pooled"], abs=CLOSED)
    assert float(h.g) == pytest.approx(e[f"{b}_vs_{a}_hedges_g_exactJ"], abs=CLOSED)
    d_ci = e[f"{b}_vs_{a}_d_ci95_noncentral_t"]
    assert (float(h.d_ci_low), float(h.d_ci_high)) == pytest.approx(
        (d_ci["lower"], d_ci["upper"]), abs=OPTIM)
    g = e[f"{b}_vs_{a}_effectsize_hedges_g"]
    assert (float(h.g_ci_low), float(h.g_ci_high)) == pytest.approx(
        (g["lower"], g["upper"]), abs=OPTIM)


def test_welch_with_one_constant_group(expected):
    cols = load_csv("e4_welch_constant_group.csv")
    y = numeric(cols, ["score"])[:, 0]
    grp = np.array(cols["group"])
    r = tr.welch_t(y[grp == "A"], y[grp == "B"])
    e = expected["e4_welch_constant_group.csv"]["welch_A_constant_vs_B"]
    assert (float(r.t), float(r.df), float(r.p)) == pytest.approx(
        (e["t"], e["df"], e["p"]), abs=CLOSED)


def test_welch_cases_r_refuses_are_not_computable():
    both = tr.welch_t([4, 4, 4], [4, 4, 4, 4])
    assert both.reason == tr.REASON_BOTH_CONSTANT and np.isnan(both.p)
    one = tr.welch_t([3.2, 3.8, 4.4], [4.0])
    assert one.reason == tr.REASON_GROUP_TOO_SMALL and np.isnan(one.t)
    h = tr.hedges_g([4, 4, 4], [4, 4, 4, 4])
    assert h.reason == tr.REASON_ZERO_POOLED_VARIANCE and np.isnan(h.g)


def test_mann_kendall_matches_reference(expected):
    series = numeric(load_csv("d2_trend_series.csv"), ["unit_mean"])[:, 0]
    e = expected["d2_trend_series.csv"]["mann_kendall"]
    r = tr.mann_kendall(series)
    got = (r.n, r.s, r.var_s, r.z, r.p, r.tau_a, r.sen_slope)
    want = (e["n"], e["S"], e["varS"], e["Z"], e["p"], e["tau_a"], e["sen_slope"])
    np.testing.assert_allclose(np.array(got, dtype=float), want, atol=CLOSED, rtol=0)
    assert r.verdict == tr.UP
    cc = expected["d2_trend_series.csv"]["kendall_cor_test_tau_b_cc"]
    assert r.p == pytest.approx(cc["p"], abs=CLOSED)


def test_mann_kendall_three_waves_has_no_verdict(waves, expected):
    e = expected["d_waves.csv"]["mann_kendall_3_wave_means"]
    r = tr.trend_series([waves[w].mean() for w in ("W1", "W2", "W3")])
    assert (r.s, r.var_s, r.z, r.p, r.sen_slope) == pytest.approx(
        (e["S"], e["varS"], e["Z"], e["p"], e["sen_slope"]), abs=CLOSED)
    assert r.verdict == tr.NOT_COMPUTABLE and r.reason == tr.REASON_TOO_FEW_WAVES


def test_bh_matches_p_adjust(expected):
    e = expected["f_bh_units.csv"]
    q = tr.benjamini_hochberg(values(e["welch_p_by_unit"]))
    np.testing.assert_allclose(q, values(e["bh_adjusted"]), atol=CLOSED, rtol=0)
    assert list(q <= 0.05) == list(e["bh_reject_q05"].values())[:14] + [False]


def test_bh_fixed_and_tied_vectors(expected):
    e = expected["f_bh_units.csv"]
    p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216, 0.222, 0.251,
         0.269, 0.275, 0.34, 0.341, 0.384, 0.569, 0.594, 0.696, 0.762, 0.94, 0.942, 0.975, 0.986]
    np.testing.assert_allclose(tr.benjamini_hochberg(p), e["bh_fixed_vector"], atol=CLOSED)
    np.testing.assert_allclose(tr.benjamini_hochberg([0.01, 0.01, 0.03, 0.03, 0.03, 0.5, 1]),
                               e["bh_ties_vector"], atol=CLOSED)


def test_bh_welch_p_by_unit_from_data(expected):
    cols = load_csv("f_bh_units.csv")
    y = numeric(cols, ["score"])[:, 0]
    unit, wave = np.array(cols["unit"]), np.array(cols["wave"])
    p = [float(tr.welch_t(y[(unit == u) & (wave == "W1")], y[(unit == u) & (wave == "W2")]).p)
         for u in sorted(set(unit))]
    np.testing.assert_allclose(p, values(expected["f_bh_units.csv"]["welch_p_by_unit"]),
                               atol=CLOSED, rtol=0)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.floats(0, 1), st.just(float("nan"))), min_size=1, max_size=30))
def test_bh_properties(p):
    q = tr.benjamini_hochberg(p)
    pv = np.array(p)
    ok = ~np.isnan(pv)
    assert np.array_equal(np.isnan(q), ~ok)
    assert (q[ok] >= pv[ok] - 1e-15).all() and (q[ok] <= 1).all()
    order = np.argsort(pv[ok], kind="stable")
    assert (np.diff(q[ok][order]) >= -1e-15).all()  # monotone in p


def test_vectorised_welch_equals_scalar(waves):
    a, b = waves["W1"], waves["W3"]
    v = tr.welch_from_stats([a.size] * 2, [a.mean()] * 2, [a.var(ddof=1)] * 2,
                            [b.size] * 2, [b.mean()] * 2, [b.var(ddof=1)] * 2)
    s = tr.welch_t(a, b)
    assert v.p == pytest.approx([float(s.p)] * 2, abs=1e-15)


def test_trend_lines_over_waves(expected):
    series = numeric(load_csv("d2_trend_series.csv"), ["unit_mean"])[:, 0]
    means = np.stack([series, -series, np.r_[series[:3], [np.nan] * 9]], axis=1)[:, :, None]
    lines = tr.trend_lines(means)
    e = expected["d2_trend_series.csv"]["mann_kendall"]
    assert lines.p[0, 0] == pytest.approx(e["p"], abs=CLOSED)
    assert lines.sen_slope[1, 0] == pytest.approx(-e["sen_slope"], abs=CLOSED)
    assert list(lines.verdict[:, 0]) == [tr.UP, tr.DOWN, tr.NOT_COMPUTABLE]
    assert list(lines.n_waves[:, 0]) == [12, 12, 3]
    assert set(lines.verdict.ravel()) <= set(tr.CHANGE_VERDICTS) - {tr.TOO_SMALL_TO_TELL}


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.floats(1, 5000), st.floats(-40, 40), st.sampled_from([0.025, 0.975, 0.5]))
def test_noncentrality_inversion_solves_the_cdf(df, t, p):
    from scipy import special

    nc = tr._ncp_for(p, np.array([df]), np.array([t]))
    # Below 1e-100 the CDF is checked at t = 0 (scipy's nctdtr is NaN at df=1, t=6e-156).
    assert abs(special.nctdtr(df, nc[0], t if abs(t) >= 1e-100 else 0.0) - p) < 1e-9


@pytest.mark.parametrize("t", [0.0, 5.915315093340815e-156, -1e-200])
@pytest.mark.parametrize("df", [1.0, 30.0])
def test_noncentrality_at_t_zero_is_the_normal_quantile(df, t):
    """P(T <= 0) = Phi(-nc) for every df (T < 0 iff Z < -nc), so nc = -Phi^-1(p)."""
    nc = tr._ncp_for(0.025, np.array([df]), np.array([t]))
    assert nc[0] == pytest.approx(1.959963984540054, abs=1e-9)


@pytest.mark.parametrize(("df", "t", "p"), [(1.0, -20.0, 0.025), (1.0, -21.0, 0.025),
                                            (1.0, -22.0, 0.025), (1.0, 21.0, 0.975)])
def test_noncentrality_inversion_survives_nan_and_flat_tails(df, t, p):
    """Cases hypothesis found: the secant met a NaN of nctdtr, or stalled on a flat tail, and
    had returned a wrong root (12.9, NaN, 8.65)."""
    from scipy import special

    nc = tr._ncp_for(p, np.array([df]), np.array([t]))
    assert abs(special.nctdtr(df, nc[0], t) - p) < 1e-9
