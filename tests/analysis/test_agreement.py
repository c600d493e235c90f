"""rwg(j), ICC(1), ICC(2) against R multilevel 2.7 (tests/data/expected.json)."""

import numpy as np
import pytest

from analysis import agreement as ag
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
