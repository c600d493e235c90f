"""rwg(j), ICC(1), ICC(2) against R multilevel 2.7 (tests/data/expected.json)."""

import json
from pathlib import Path

import numpy as np
import pytest

from analysis import agreement as ag
from analysis.errors import AnalysisInputError
from tests.analysis.conftest import CLOSED, load_csv, numeric, values


def _units(name, items):
    cols = load_csv(name)
    codes, group = np.unique(cols["unit"], return_inverse=True)
    return numeric(cols, items), group.astype(np.intp), len(codes)


def test_rwg_j_by_unit_matches_multilevel(expected):
    x, g, n_g = _units("c_units.csv", [f"q{i}" for i in range(1, 7)])
    e = expected["c_units.csv"]
    r = ag.rwg_j(x, g, n_g, 5)
    np.testing.assert_allclose(r.rwg_j, values(e["rwg_j_by_unit"]), atol=CLOSED, rtol=0)
    assert np.mean(r.rwg_j) == pytest.approx(e["rwg_j_mean"], abs=CLOSED)
    assert list(r.n) == list(e["group_sizes"].values())


def test_single_item_rwg_matches_multilevel(expected):
    x, g, n_g = _units("c_units.csv", ["q1"])
    r = ag.rwg_j(x, g, n_g, 5)
    np.testing.assert_allclose(r.rwg_j, values(expected["c_units.csv"]["rwg_q1_by_unit"]),
                               atol=CLOSED, rtol=0)


def test_rwg_edge_cases_match_multilevel(expected):
    x, g, n_g = _units("e3_rwg_edge.csv", [f"q{i}" for i in range(1, 5)])
    e = expected["e3_rwg_edge.csv"]
    r = ag.rwg_j(x, g, n_g, 5)
    np.testing.assert_allclose(r.rwg_j, values(e["rwg_j_by_unit"]), atol=CLOSED, rtol=0)
    np.testing.assert_allclose(r.mean_item_var, values(e["mean_item_var_by_unit"]),
                               atol=CLOSED, rtol=0)
    x1, g1, n1 = _units("e3_rwg_edge.csv", ["q1"])
    np.testing.assert_allclose(ag.rwg_j(x1, g1, n1, 5).rwg_j, values(e["rwg_q1_by_unit"]),
                               atol=CLOSED, rtol=0)


def test_rwg_uses_listwise_rows():
    x = np.array([[1, 1], [1, 1], [5, np.nan]], dtype=float)
    r = ag.rwg_j(x, np.zeros(3, np.intp), 1, 5)
    assert r.n[0] == 2 and r.rwg_j[0] == 1.0


def test_icc_matches_multilevel(expected):
    x, g, n_g = _units("c_units.csv", [f"q{i}" for i in range(1, 7)])
    e = expected["c_units.csv"]
    r = ag.icc(x.mean(axis=1), g, n_g)
    assert r.icc1 == pytest.approx(e["ICC1_multilevel"], abs=CLOSED)
    assert r.icc2 == pytest.approx(e["ICC2_multilevel"], abs=CLOSED)
    assert r.msb == pytest.approx(e["anova_scale"]["MSB"], abs=CLOSED)
    assert r.msw == pytest.approx(e["anova_scale"]["MSW"], abs=CLOSED)
    assert (r.df_between, r.df_within) == (11, 265)


def test_icc_not_computable_cases():
    assert ag.icc(np.array([1.0, 2.0]), np.array([0, 0]), 2).reason == ag.REASON_TOO_FEW_GROUPS
    assert ag.icc(np.array([1.0, 2.0]), np.array([0, 1]), 2).reason == ag.REASON_NO_WITHIN_DF
    same = ag.icc(np.array([1.0, 2.0, 1.0, 2.0]), np.array([0, 0, 1, 1]), 2)
    assert same.reason == ag.REASON_NO_BETWEEN_VARIANCE and np.isnan(same.icc1)


@pytest.mark.parametrize(("value", "code"), [
    (0.95, ag.RWG_VERY_STRONG), (0.90, ag.RWG_VERY_STRONG), (0.89, ag.RWG_STRONG),
    (0.70, ag.RWG_STRONG), (0.69, ag.RWG_MODERATE), (0.5, ag.RWG_MODERATE),
    (0.31, ag.RWG_WEAK), (0.1, ag.RWG_LACK), (np.nan, ag.NOT_COMPUTABLE)])
def test_rwg_verdict_bands(value, code):
    assert ag.rwg_verdict(value) == code


def test_icc_verdicts():
    assert ag.icc2_verdict(0.70) == ag.ICC2_RELIABLE
    assert ag.icc2_verdict(0.69) == ag.ICC2_UNRELIABLE
    assert ag.icc1_verdict(0.178) == ag.ICC1_MEDIUM
    assert ag.icc1_verdict(0.3) == ag.ICC1_LARGE
    assert ag.icc1_verdict(0.005) == ag.ICC1_NONE


def test_bad_group_is_rejected():
    with pytest.raises(ValueError, match="group"):
        ag.rwg_j(np.ones((3, 2)), np.array([0, 1, 5]), 2, 5)


def test_anova_f_and_p_match_aov(expected):
    x, g, n_g = _units("c_units.csv", [f"q{i}" for i in range(1, 7)])
    e = expected["c_units.csv"]["anova_scale"]
    r = ag.icc(x.mean(axis=1), g, n_g)
    assert r.f == pytest.approx(e["F"], abs=CLOSED)
    assert r.p == pytest.approx(e["p"], abs=CLOSED)


# ---------------------------------------------------------------- nulls, critical values,
# reliability of a unit mean (tests/data/agreement.R, multilevel 2.7)

AGREE_REF = json.loads((Path(__file__).parents[1] / "data" / "agreement_expected.json")
                        .read_text(encoding="utf-8"))
# Monte Carlo error of a 95th percentile from 4,000 (ours) and 20,000 (R) draws of rwg(j):
# the quantile's SE is about sqrt(.05 x .95 / n) / density, ~0.006-0.01 here; 0.03 is 3-5 SE.
CRITICAL_TOL = 0.03
X = np.array([[4, 4], [5, 4], [4, 5], [3, 3], [5, 4], [2, 3], [3, 3], [2, 2], [3, 2], [2, 3],
              [4, 4]], dtype=float)
G = np.array([0] * 5 + [1] * 6)


def test_null_variances_reproduce_the_published_nulls():
    assert ag.null_variance(5, ag.NULL_SLIGHT_SKEW) == pytest.approx(1.34, abs=1e-12)
    assert ag.null_variance(5) == pytest.approx(2.0) and ag.null_variance(6) == pytest.approx(
        35 / 12)
    for a in (4, 5, 6, 7):
        p = ag.null_proportions(a, ag.NULL_SLIGHT_SKEW)
        assert p.sum() == pytest.approx(1.0)
        assert p @ np.arange(1, a + 1) > (a + 1) / 2 + 0.4  # leans to the agree side
        assert ag.null_variance(a, ag.NULL_SLIGHT_SKEW) < ag.null_variance(a)
    with pytest.raises(AnalysisInputError, match="unknown null"):
        ag.null_variance(5, "heavy")


def test_rwg_j_against_a_skewed_null_matches_r():
    s2 = np.array([X[G == g].var(axis=0, ddof=1).mean() for g in (0, 1)])
    skew = ag.rwg_j_from_variance(s2, 2, 5, ag.null_variance(5, ag.NULL_SLIGHT_SKEW))
    np.testing.assert_allclose(skew, AGREE_REF["rwg_j_slight_skew"], atol=1e-9)
    np.testing.assert_allclose(ag.rwg_j_from_variance(s2, 2, 5), AGREE_REF["rwg_j_uniform"],
                               atol=1e-9)


@pytest.mark.parametrize("ref", AGREE_REF["critical"], ids=lambda r: f"n{r['n']}j{r['items']}")
def test_critical_values_match_multilevel_rwg_sim(ref):
    got = ag.rwg_critical_value([ref["n"]], ref["items"], ref["points"])[0]
    assert got == pytest.approx(ref["q95"], abs=CRITICAL_TOL)


def test_critical_values_fall_with_group_size_and_hold_the_false_positive_rate():
    crit = ag.rwg_critical_value(np.array([3, 5, 10, 30, 100, 500, 1]), 4, 5)
    assert np.isnan(crit[-1]) and crit[5] == crit[4]  # above the cap: its value (conservative)
    assert (np.diff(crit[:5]) < 0).all()
    # fresh random answering: about 5% of groups exceed the critical value
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, size=(3000, 10, 4)).astype(float)
    r = ag.rwg_j_from_variance(x.var(axis=1, ddof=1).mean(axis=1), 4, 5)
    assert 0.03 < np.mean(r > crit[2]) < 0.07


def test_skewed_answers_look_like_agreement_only_against_the_uniform_null():
    rng = np.random.default_rng(3)
    p = ag.null_proportions(5, ag.NULL_SLIGHT_SKEW)
    x = rng.choice(np.arange(1, 6), p=p, size=(400, 12, 4)).astype(float)
    s2 = x.var(axis=1, ddof=1).mean(axis=1)
    uniform = ag.rwg_j_from_variance(s2, 4, 5)
    skew = ag.rwg_j_from_variance(s2, 4, 5, ag.null_variance(5, ag.NULL_SLIGHT_SKEW))
    assert np.median(uniform) > 0.6 and np.median(skew) < 0.3


def test_mean_reliability_is_spearman_brown_and_icc2_of_a_balanced_design():
    b = AGREE_REF["balanced"]
    assert ag.mean_reliability(b["icc1"], b["group_size"]) == pytest.approx(b["icc2"], abs=1e-9)
    np.testing.assert_allclose(ag.mean_reliability(0.1, np.array([5, 10])), [5 / 14, 10 / 19])
    assert ag.mean_reliability(-0.05, 8) == 0.0 and np.isnan(ag.mean_reliability(0.1, 0))
    assert ag.mean_reliability_verdict(0.71) == ag.MEAN_RELIABLE
    assert ag.mean_reliability_verdict(0.53) == ag.MEAN_UNRELIABLE
