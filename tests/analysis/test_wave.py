"""analyse_wave agrees with the scalar estimators applied to each unit subtree."""

import numpy as np
import pytest
from scipy import stats

from analysis import agreement, disclosure, reliability, trends
from analysis.scoring import reverse_key, scale_scores, subtree_members
from analysis.wave import PublishedStats, WaveData, analyse_wave
from tests.analysis.synth import synthetic_wave

TOL = 1e-10


@pytest.fixture(scope="module")
def waves():
    rng = np.random.default_rng(20261130)
    now = synthetic_wave(rng, 1500, 25)
    prev = synthetic_wave(rng, 1400, 25, shift=-0.25, parent=now.unit_parent)
    return now, prev, analyse_wave(now, k=5, previous=prev)


def _keyed(w):
    return reverse_key(w.values, w.item_reverse, w.dimension_points[w.item_dimension])


def _members(w):
    """Respondent mask of each unit subtree."""
    sub = subtree_members(w.unit_parent)
    return sub[:, w.unit]


def test_scores_follow_two_thirds_rule(waves):
    now, _, res = waves
    want = scale_scores(_keyed(now), now.item_dimension, now.n_dimensions)
    np.testing.assert_allclose(res.scores, want, atol=1e-12)


def test_unit_means_sd_ci_match_direct_computation(waves):
    now, _, res = waves
    members = _members(now)
    for u in range(now.n_units):
        for d in range(now.n_dimensions):
            y = res.scores[members[u], d]
            y = y[~np.isnan(y)]
            assert res.n[u, d] == y.size
            if y.size < 2:
                continue
            half = stats.t.ppf(0.975, y.size - 1) * y.std(ddof=1) / np.sqrt(y.size)
            assert res.mean[u, d] == pytest.approx(y.mean(), abs=TOL)
            assert res.sd[u, d] == pytest.approx(y.std(ddof=1), abs=TOL)
            assert res.ci_low[u, d] == pytest.approx(y.mean() - half, abs=TOL)
            a = now.dimension_points[d]
            assert res.score100[u, d] == pytest.approx((y.mean() - 1) / (a - 1) * 100, abs=1e-8)


def test_favourable_share(waves):
    now, _, res = waves
    x = _keyed(now)
    members = _members(now)
    for d in range(now.n_dimensions):
        blk = x[:, now.item_dimension == d]
        mid = (now.dimension_points[d] + 1) / 2
        for u in (0, 3, 7):
            b = blk[members[u]]
            want = (b > mid).sum() / (~np.isnan(b)).sum()
            assert res.favourable[u, d] == pytest.approx(want, abs=TOL)


def test_rwg_and_unit_alpha_match_scalar_functions(waves):
    now, _, res = waves
    x = _keyed(now)
    members = _members(now)
    for d in range(now.n_dimensions):
        blk = x[:, now.item_dimension == d]
        group = np.zeros(len(blk), np.intp)
        for u in range(now.n_units):
            b = blk[members[u]]
            r = agreement.rwg_j(b, group[: len(b)], 1, now.dimension_points[d])
            one_group = res.n[u, d] == (res.scores[np.asarray(now.unit) == u, d] >= 0).sum()
            if now.dimension_collective[d] and one_group:
                np.testing.assert_allclose(res.rwg_j[u, d], r.rwg_j[0], atol=TOL)
            else:  # individual referent, or a subtree of several units: not one group
                assert np.isnan(res.rwg_j[u, d])
                assert res.rwg_verdict[u, d] in ("not_computable", "several_units")
                assert (res.rwg_verdict[u, d] == "several_units") == (
                    now.dimension_collective[d] and not one_group)
            a = reliability.cronbach_alpha(b)
            if a.computable and a.k == b.shape[1]:
                assert res.unit_alpha[u, d] == pytest.approx(a.alpha, abs=1e-9)


def test_dimension_reliability_and_icc(waves):
    now, _, res = waves
    x = _keyed(now)
    for d in range(now.n_dimensions):
        want = reliability.cronbach_alpha(x[:, now.item_dimension == d])
        got = res.reliability[d]
        assert got.n == want.n and got.alpha == pytest.approx(want.alpha, abs=TOL)
        assert got.alpha_ci == pytest.approx(want.alpha_ci, abs=TOL)
        assert got.omega_total == pytest.approx(want.omega_total, abs=1e-9)
        np.testing.assert_allclose(got.r_drop, want.r_drop, atol=TOL)
        icc = agreement.icc(res.scores[:, d], now.unit.astype(np.intp), now.n_units)
        if now.dimension_collective[d]:
            assert res.icc1[d] == pytest.approx(icc.icc1, abs=TOL)
            assert res.icc2[d] == pytest.approx(icc.icc2, abs=TOL)
            assert res.icc2_verdict[d] == agreement.icc2_verdict(icc.icc2)
        else:
            assert np.isnan(res.icc1[d]) and res.icc_reason[d] == "individual_referent"


def test_trend_matches_welch_hedges_and_bh(waves):
    now, prev, res = waves
    mn, mp = _members(now), _members(prev)
    prev_scores = analyse_wave(prev, k=5).scores
    d = 0
    p = []
    for u in range(now.n_units):
        a = prev_scores[mp[u], d]
        b = res.scores[mn[u], d]
        w = trends.welch_t(a, b)
        h = trends.hedges_g(a, b)
        p.append(float(w.p) if res.trend.shown[u, d] else np.nan)
        np.testing.assert_allclose(res.trend.t[u, d], w.t, atol=1e-9)
        np.testing.assert_allclose(res.trend.ci_high[u, d], w.ci_high, atol=1e-9)
        np.testing.assert_allclose(res.trend.hedges_g[u, d], h.g, atol=1e-9)
        np.testing.assert_allclose(res.trend.g_ci_low[u, d], h.g_ci_low, atol=1e-6)
    np.testing.assert_allclose(res.trend.q[:, d], trends.benjamini_hochberg(np.array(p)),
                               atol=1e-9)
    assert set(res.trend.verdict[:, d]) <= set(trends.CHANGE_VERDICTS)
    assert res.trend.verdict[0, d] == trends.UP  # previous wave was generated 0.25 lower


def test_comparison_unit_vs_rest(waves):
    now, _, res = waves
    members = _members(now)
    for u in (1, 4, 9):
        y = res.scores[:, 2]
        w = trends.welch_t(y[~members[u]], y[members[u]])
        assert res.comparison.diff[u, 2] == pytest.approx(float(w.diff), abs=1e-9)
        assert res.comparison.p[u, 2] == pytest.approx(float(w.p), abs=1e-9)
    assert np.isnan(res.comparison.t[0, 0])  # the root has no rest


def test_disclosure_is_applied(waves):
    now, _, res = waves
    direct = np.bincount(now.unit, minlength=now.n_units)
    cut = np.stack([np.bincount(now.unit[now.cut == c], minlength=now.n_units)
                    for c in range(2)], axis=1)
    want = disclosure.suppress(now.unit_parent, direct, 5, cut)
    np.testing.assert_array_equal(res.shown, want.shown)
    assert not (res.shown_dimension & ~res.shown[:, None]).any()
    assert (res.n[res.shown_dimension] >= 5).all()
    assert (res.cut_n[res.cut_shown] >= 5).all()
    assert not (res.trend.shown & ~res.shown_dimension).any()


def test_small_units_are_suppressed():
    rng = np.random.default_rng(5)
    w = synthetic_wave(rng, 40, 8)
    res = analyse_wave(w, k=5)
    assert (res.respondents[res.shown] >= 5).all()
    assert not res.shown.all()


def test_previous_wave_with_other_layout_is_rejected(waves):
    now, _, _ = waves
    other = WaveData(**{**now.__dict__, "dimension_points": now.dimension_points + 1})
    with pytest.raises(ValueError, match="same units"):
        analyse_wave(now, previous=other)


def test_out_of_range_answers_are_rejected(waves):
    now, _, _ = waves
    bad = now.values.copy()
    bad[3, 2] = 9
    with pytest.raises(ValueError, match="row 3, item 2 is outside 1..5"):
        analyse_wave(WaveData(**{**now.__dict__, "values": bad}))


def test_fractional_answers_are_rejected(waves):
    now, _, _ = waves
    bad = now.values.copy()
    bad[11, 0] = 2.5
    with pytest.raises(ValueError, match="row 11, item 0 is not a whole number"):
        analyse_wave(WaveData(**{**now.__dict__, "values": bad}))


def _tiny(n, cut, seed=0):
    rng = np.random.default_rng(seed)
    dims = np.array([0, 1, 1, 1])
    return WaveData(
        values=rng.integers(1, 6, (n, 4)).astype(float), unit=rng.integers(0, 3, n),
        item_dimension=dims, item_reverse=np.array([False, True, False, False]),
        dimension_points=np.array([5, 5]), dimension_collective=np.array([True, True]),
        unit_parent=np.array([-1, 0, 0]), cut=rng.integers(-1, 2, n) if cut else None,
        n_cut_categories=2 if cut else 0)


@pytest.mark.parametrize("n", [0, 1, 2, 7, 30])
@pytest.mark.parametrize("cut", [True, False])
def test_tiny_waves_give_reasons_not_exceptions(n, cut):
    res = analyse_wave(_tiny(n, cut), k=5, previous=_tiny(max(n - 1, 0), cut, seed=1))
    assert res.reliability[0].reason == "too_few_items" or n < 3  # one-item dimension
    if n < 3:
        assert res.reliability[1].reason == "too_few_respondents"
        assert not res.shown.any()
    assert (res.respondents[res.shown] >= 5).all()
    assert set(res.trend.verdict.ravel()) <= set(trends.CHANGE_VERDICTS)
    assert res.trend.verdict[1, 1] == trends.NOT_COMPUTABLE or n >= 7


def test_answer_distribution_counts_keyed_answers(waves):
    from analysis.wave import answer_distribution

    now, _, res = waves
    dist = answer_distribution(now)
    x = _keyed(now)
    members = _members(now)
    for d in range(now.n_dimensions):
        blk = x[:, now.item_dimension == d]
        for u in (0, 5):
            b = blk[members[u]]
            want = [(b == a).sum() for a in range(1, dist.shape[2] + 1)]
            assert dist[u, d].tolist() == want
    assert dist.sum(axis=2)[0, 0] == (~np.isnan(x[:, now.item_dimension == 0])).sum()


def test_every_dimension_view_is_safe_for_its_own_counts():
    from types import SimpleNamespace

    from tests.analysis.test_disclosure import assert_no_leak

    rng = np.random.default_rng(11)
    w = synthetic_wave(rng, 160, 14, missing=0.25)
    res = analyse_wave(w, k=5)
    assert not res.shown_dimension.all()  # the case is not trivial
    for d in range(w.n_dimensions):
        has = ~np.isnan(res.scores[:, d])
        direct = np.bincount(w.unit[has], minlength=w.n_units)
        cut = np.stack([np.bincount(w.unit[has & (w.cut == c)], minlength=w.n_units)
                        for c in range(2)], axis=1)
        view = SimpleNamespace(shown=res.shown_dimension[:, d], cut_shown=res.cut_shown[:, :, d])
        assert_no_leak(w.unit_parent, direct, cut, view, 5)


def test_suppressed_cells_are_left_out_of_the_bh_family():
    rng = np.random.default_rng(12)
    now = synthetic_wave(rng, 120, 12)
    prev = synthetic_wave(rng, 120, 12, parent=now.unit_parent)
    tr_ = analyse_wave(now, k=5, previous=prev).trend
    assert not tr_.shown.all()
    assert np.isnan(tr_.q[~tr_.shown]).all()
    assert "suppressed" in set(tr_.reason[~tr_.shown])
    assert (tr_.reason[~tr_.shown] != "").all()
    assert (tr_.verdict[~tr_.shown] == trends.NOT_COMPUTABLE).all()


def test_a_previous_wave_enters_only_as_published():
    """Raw previous data and its published figures give the same trend; a cell the previous
    wave hid contributes nothing, whatever its raw figures were."""
    rng = np.random.default_rng(13)
    now = synthetic_wave(rng, 120, 12)
    prev = synthetic_wave(rng, 120, 12, parent=now.unit_parent)
    pres = analyse_wave(prev, k=9)
    published = PublishedStats(pres.n, pres.mean, pres.sd ** 2, pres.shown_dimension)
    raw = analyse_wave(now, k=9, previous=prev).trend
    pub = analyse_wave(now, k=9, previous=published).trend
    np.testing.assert_array_equal(raw.shown, pub.shown)
    np.testing.assert_allclose(raw.p[raw.shown], pub.p[pub.shown], rtol=1e-12)
    np.testing.assert_array_equal(raw.verdict, pub.verdict)
    assert not pres.shown_dimension.all()
    poisoned = PublishedStats(np.where(pres.shown_dimension, pres.n, 999),
                              np.where(pres.shown_dimension, pres.mean, 1.0),
                              np.where(pres.shown_dimension, pres.sd ** 2, 0.0),
                              pres.shown_dimension)
    again = analyse_wave(now, k=9, previous=poisoned).trend
    np.testing.assert_array_equal(again.verdict, pub.verdict)
    assert np.isnan(again.previous_mean[~pres.shown_dimension]).all()


@pytest.mark.parametrize("workers", [2, 3])
def test_chunks_and_threads_do_not_change_results(monkeypatch, waves, workers):
    import analysis.wave as wave_module

    now, prev, res = waves
    monkeypatch.setattr(wave_module, "CHUNK_ROWS", 97)  # many chunks, split across threads
    got = analyse_wave(now, k=5, previous=prev, workers=workers)
    np.testing.assert_allclose(got.scores, res.scores, atol=1e-12)
    for field in ("mean", "sd", "rwg_j", "unit_alpha", "favourable"):
        np.testing.assert_allclose(getattr(got, field), getattr(res, field), atol=1e-10)
    np.testing.assert_allclose(got.trend.p, res.trend.p, atol=1e-10)
    assert got.reliability[0].alpha == pytest.approx(res.reliability[0].alpha, abs=1e-12)
    np.testing.assert_array_equal(got.shown_dimension, res.shown_dimension)


@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"alpha": 0.0}, "alpha"), ({"alpha": 1.5}, "alpha"), ({"workers": 0}, "workers"),
    ({"k": 2}, "k must")])
def test_bad_call_arguments_are_rejected(waves, kwargs, needle):
    now, _, _ = waves
    with pytest.raises(ValueError, match=needle):
        analyse_wave(now, **kwargs)


def test_agreement_against_the_skewed_null_and_reliability_of_unit_means(waves):
    now, _, res = waves
    x = _keyed(now)
    own = np.asarray(now.unit)
    for d in np.flatnonzero(now.dimension_collective):
        a = int(now.dimension_points[d])
        null = agreement.null_variance(a, agreement.NULL_SLIGHT_SKEW)
        blk = x[:, now.item_dimension == d]
        checked = 0
        for u in range(now.n_units):
            if np.isnan(res.rwg_j[u, d]):
                assert np.isnan(res.rwg_j_skew[u, d]) and not res.rwg_beyond_chance[u, d]
                continue
            b = blk[own == u]
            b = b[~np.isnan(b).any(axis=1)]
            s2 = b.var(axis=0, ddof=1).mean()
            want = agreement.rwg_j_from_variance(s2, b.shape[1], a, null)
            assert res.rwg_j_skew[u, d] == pytest.approx(float(want), abs=1e-9)
            crit = agreement.rwg_critical_value([len(b)], b.shape[1], a,
                                                agreement.NULL_SLIGHT_SKEW)[0]
            assert bool(res.rwg_beyond_chance[u, d]) == bool(want > crit)
            if not want > crit:
                assert res.rwg_verdict[u, d] == agreement.RWG_NOT_BEYOND_CHANCE
            assert res.rwg_j_skew[u, d] <= res.rwg_j[u, d] + 1e-12  # a stricter null
            checked += 1
        assert checked > 0
        np.testing.assert_allclose(res.mean_reliability[:, d],
                                   agreement.mean_reliability(res.icc1[d], res.n[:, d]))
    assert np.isnan(res.mean_reliability[:, ~np.asarray(now.dimension_collective)]).all()


def test_figures_behind_every_pooled_estimate_ignore_a_hidden_root():
    """A second organisation (root) below k: changing its answers changes nothing shown."""
    rng = np.random.default_rng(4)
    unit = np.r_[np.zeros(8), np.full(9, 2), np.ones(3)].astype(np.intp)
    x = rng.integers(1, 6, size=(unit.size, 3)).astype(float)
    layout = dict(item_dimension=np.zeros(3, np.intp), item_reverse=np.zeros(3, bool),
                  dimension_points=np.array([5]), dimension_collective=np.array([True]),
                  unit_parent=np.array([-1, -1, 0]))
    a = analyse_wave(WaveData(values=x, unit=unit, **layout), k=5)
    y = x.copy()
    y[unit == 1] = np.array([1.0, 5.0, 1.0])  # the hidden root's three answers, very spread
    b = analyse_wave(WaveData(values=y, unit=unit, **layout), k=5)
    assert not a.shown[1] and a.shown[0] and not a.organisation_shown
    np.testing.assert_array_equal(a.within_var, b.within_var)
    np.testing.assert_array_equal(a.pooled.ci_high[[0, 2]], b.pooled.ci_high[[0, 2]])


def test_the_within_unit_variance_draws_only_on_published_single_group_cells():
    """A hidden unit below k (and a parent's own staff) add nothing to it."""
    rng = np.random.default_rng(5)
    unit = np.r_[np.full(3, 0), np.full(8, 1), np.full(9, 2), np.full(3, 3)].astype(np.intp)
    x = rng.integers(1, 6, size=(unit.size, 3)).astype(float)
    layout = dict(item_dimension=np.zeros(3, np.intp), item_reverse=np.zeros(3, bool),
                  dimension_points=np.array([5]), dimension_collective=np.array([True]),
                  unit_parent=np.array([-1, 0, 0, 0]))
    a = analyse_wave(WaveData(values=x, unit=unit, **layout), k=5)
    y = x.copy()
    y[unit == 3] = np.array([[1.0] * 3, [5.0] * 3, [1.0] * 3])  # hidden unit 3 (n = 3)
    y[unit == 0] = np.array([[5.0] * 3, [1.0] * 3, [5.0] * 3])  # the root's own staff
    b = analyse_wave(WaveData(values=y, unit=unit, **layout), k=5)
    assert not a.shown[3] and a.shown[[1, 2]].all()
    np.testing.assert_array_equal(a.within_var, b.within_var)
    s = [a.scores[unit == u, 0] for u in (1, 2)]
    want = sum(((v - v.mean()) ** 2).sum() for v in s) / (sum(v.size for v in s) - 2)
    assert a.within_var[0] == pytest.approx(want, abs=1e-12)
