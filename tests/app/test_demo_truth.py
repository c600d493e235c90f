"""The demo's generator against the properties issue #13 asks of it, on its arrays (no DB):
distinct dimensions, unit effects of a realistic size, real change after training only where
the module's truth says so, varying response, and determinism."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from analysis.agreement import icc
from analysis.scoring import reverse_key, scale_scores
from analysis.validity import htmt
from instruments.loader import load_instrument_file
from survey_app.cli import demo

FILES = Path(__file__).resolve().parents[2] / "instruments" / "files"
K = 5  # the demo waves' minimum cell size


@pytest.fixture(scope="module")
def instruments():  # type: ignore[no-untyped-def]
    return [load_instrument_file(FILES / f"{key}-1.0.toml") for key in demo.CULTURE]


@pytest.fixture(scope="module")
def organisation(instruments):  # type: ignore[no-untyped-def]
    return demo.draw_organisation(instruments)


def _scores(model, values):  # type: ignore[no-untyped-def]
    """(n, dims) 0-100 dimension scores of raw answers, as the reports compute them."""
    lay = model.layout
    s = scale_scores(reverse_key(values, lay.reverse, lay.points), lay.dimension,
                     len(lay.dimensions))
    points = np.array([lay.points[lay.dimension == d][0] for d in range(s.shape[1])])
    return (s - 1.0) / (points - 1.0) * 100.0


def test_icc1_of_every_dimension_is_realistic(organisation):
    model, waves = organisation
    scores = np.vstack([_scores(model, w.values) for w in waves])
    unit = np.concatenate([w.unit_index for w in waves])
    pooled = [icc(scores[:, d], unit, len(model.units)).icc1 for d in range(scores.shape[1])]
    per_wave = [[icc(_scores(model, w.values)[:, d], w.unit_index, len(model.units)).icc1
                 for d in range(scores.shape[1])] for w in waves]
    assert all(0.03 <= v <= 0.20 for v in pooled), np.round(pooled, 3)
    assert 0.05 <= np.median(per_wave) <= 0.15


def test_units_are_strong_on_different_dimensions(organisation):
    model, _ = organisation
    effect = model.unit_effect * model.layout.sign  # + = better culture on every dimension
    best = {int(np.argmax(effect[:, d])) for d in range(effect.shape[1])}
    assert len(best) >= 4


def test_dimensions_of_an_instrument_are_distinct_by_htmt(organisation):
    model, waves = organisation
    lay = model.layout
    for w in waves:
        x = reverse_key(w.values, lay.reverse, lay.points)
        for scale in range(int(lay.scale.max()) + 1):
            dims = np.flatnonzero(lay.scale == scale)
            cols = np.isin(lay.dimension, dims)
            h = htmt(x[:, cols], lay.dimension[cols]).htmt[np.triu_indices(dims.size, 1)]
            assert np.mean(h < 0.85) >= 0.9, (w.period, scale, np.round(h, 2))
            assert np.all(h > 0.1)  # correlated, not unrelated


def test_resistance_correlates_negatively_with_readiness_and_learning(organisation):
    model, waves = organisation
    scores = np.vstack([_scores(model, w.values) for w in waves])
    r = np.corrcoef(scores[~np.isnan(scores).any(axis=1)], rowvar=False)
    scale = model.layout.scale
    same = (scale[:, None] == scale[None, :]) & ~np.eye(scale.size, dtype=bool)
    resist = scale == 0  # the first culture instrument, higher = worse
    against = resist[:, None] & ~resist[None, :]
    others = ~resist[:, None] & ~resist[None, :] & (scale[:, None] != scale[None, :])
    assert np.all(r[same] > 0.2)
    assert np.all((r[against] < -0.05) & (r[against] > -0.45))
    assert np.all((r[others] > 0.05) & (r[others] < 0.45))
    assert r[same].mean() > np.abs(r[against | others]).mean() + 0.05  # instruments distinct


def test_true_change_only_where_a_training_had_an_effect(organisation):
    model, _ = organisation
    truth = demo.true_score100(model)
    change = truth - truth[0]
    trained = np.zeros(change.shape[1:], dtype=bool)
    for event in demo.TRAINING:
        u, d = model.units.index(event.unit), model.layout.dimensions.index(event.dimension)
        after = [w for w, (_, opens, _) in enumerate(demo.QUARTERS) if event.held_on < opens]
        rise = change[after, u, d]
        if event.effect_sd >= 0.5:
            assert np.all((rise > 7.0) & (rise < 12.0)), (event.unit, rise)
        elif event.effect_sd == 0:
            assert np.all(np.abs(rise) < 2.0)
        trained[u, d] = event.effect_sd > 0
    assert np.abs(change[:, ~trained]).max() < 3.0  # drift only
    resistance = model.layout.scale == 0
    assert np.abs(change[..., resistance]).max() < 1.5  # a trait moves little


def test_true_score100_is_the_mean_of_the_drawn_answers(organisation):
    model, _ = organisation
    rng = np.random.default_rng(7)
    unit, wave = model.units.index("PLJ-PEL"), 3
    values = demo.draw_wave(rng, model, wave, np.full(40_000, unit, dtype=np.intp))
    drawn = np.nanmean(_scores(model, values), axis=0)
    assert np.abs(drawn - demo.true_score100(model)[wave, unit]).max() < 0.5


def _observed_change(model, waves, unit, dim, after):  # type: ignore[no-untyped-def]
    """Mean score after the training minus before it, with its standard error."""
    def part(ws):  # type: ignore[no-untyped-def]
        x = np.concatenate([_scores(model, waves[w].values)[waves[w].unit_index == unit, dim]
                            for w in ws])
        x = x[~np.isnan(x)]
        return x.mean(), x.var(ddof=1) / x.size
    before = [w for w in range(len(waves)) if w not in after]
    (m1, v1), (m0, v0) = part(after), part(before)
    return m1 - m0, v1 + v0


def _trained_pairs(model):  # type: ignore[no-untyped-def]
    for event in demo.TRAINING:
        if event.effect_sd > 0:
            after = [w for w, (_, opens, _) in enumerate(demo.QUARTERS) if event.held_on < opens]
            yield (model.units.index(event.unit),
                   model.layout.dimensions.index(event.dimension), after)


def _true_change(truth, unit, dim, after):  # type: ignore[no-untyped-def]
    before = [w for w in range(truth.shape[0]) if w not in after]
    return truth[after, unit, dim].mean() - truth[before, unit, dim].mean()


def test_training_effects_are_recoverable_in_aggregate(instruments):
    """Over 30 seeded organisations the trained units' observed change averages to the truth,
    and an untrained unit's observed change on the same dimension averages to its (near 0)."""
    gaps, null = [], []
    for seed in range(30):
        model, waves = demo.draw_organisation(instruments, seed)
        truth = demo.true_score100(model)
        for unit, dim, after in _trained_pairs(model):
            est, _ = _observed_change(model, waves, unit, dim, after)
            gaps.append(est - _true_change(truth, unit, dim, after))
            other = model.units.index("DINKES")  # never trained, 28 staff
            est, _ = _observed_change(model, waves, other, dim, after)
            null.append(est - _true_change(truth, other, dim, after))
    se = np.std(gaps, ddof=1) / np.sqrt(len(gaps))
    assert abs(np.mean(gaps)) < 3 * se + 0.5
    assert abs(np.mean(null)) < 3 * np.std(null, ddof=1) / np.sqrt(len(null)) + 0.5


def test_demo_organisation_shows_its_training_effects(organisation):
    """In the demo itself the trained units' pooled change is positive and near the truth."""
    model, waves = organisation
    truth = demo.true_score100(model)
    pairs = list(_trained_pairs(model))
    est = [_observed_change(model, waves, u, d, after) for u, d, after in pairs]
    true = np.mean([_true_change(truth, u, d, after) for u, d, after in pairs])
    pooled = np.mean([e for e, _ in est])
    se = np.sqrt(np.sum([v for _, v in est])) / len(est)
    assert true > 6.0 and pooled > 0
    assert abs(pooled - true) < 2.5 * se


def test_response_rates_vary_and_small_units_fall_below_k_in_some_waves(organisation):
    model, waves = organisation
    headcount = np.array([u[3] for u in demo.staffed_units()])
    counts = np.array([np.bincount(w.unit_index, minlength=len(model.units)) for w in waves])
    rates = counts / headcount
    assert rates.min() < 0.6 and rates.max() > 0.9
    # Units differ in their response rates beyond the binomial noise of a common rate.
    answered = counts.sum(axis=0)
    table = np.stack([answered, len(waves) * headcount - answered])
    assert stats.chi2_contingency(table).pvalue < 1e-3
    hidden = counts < K
    assert 0 < hidden.mean() < 0.25
    assert np.any(hidden.any(axis=0) & ~hidden.all(axis=0))  # below k in some waves only
    skipped = np.mean(np.concatenate([np.isnan(w.values).ravel() for w in waves]))
    assert skipped == 0.0  # the survey form requires every answer, so the demo has none


def test_same_seed_same_answers(instruments, organisation):
    model, waves = organisation
    again_model, again = demo.draw_organisation(instruments, demo.SEED)
    other_model, other = demo.draw_organisation(instruments, demo.SEED + 1)
    for a, b in zip(waves, again, strict=True):
        assert np.array_equal(a.unit_index, b.unit_index)
        assert np.array_equal(a.values, b.values, equal_nan=True)
    assert np.array_equal(model.unit_effect, again_model.unit_effect)
    assert not np.array_equal(model.unit_effect, other_model.unit_effect)
    assert not np.array_equal(waves[0].values[:50], other[0].values[:50], equal_nan=True)
