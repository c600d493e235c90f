"""Construct validity against R (tests/data/validity_expected.json, tests/data/validity.R)."""

import json

import numpy as np
import pytest

from analysis import validity as val
from analysis.errors import AnalysisInputError
from tests.analysis.conftest import CLOSED, DATA, load_csv, numeric

CFA_FIT = 1e-7  # lavaan stops nlminb a little early: chi-square agrees to 2e-8
CFA_PARAM = 1e-5  # loadings, residual variances, factor r: lavaan's convergence, 3e-6 seen
# psych::omega's omega_h stops at GPArotation's eps = 1e-5 and psych's minres optim; the
# converged solution differs from it by 1.5e-6 (three factors) and 2.7e-6 (two factors).
PSYCH_OMEGA = 5e-6

SETS = {
    "a_single_factor.csv": [0] * 4 + [1] * 4,  # one factor split arbitrarily: A = q1-q4
    "g_three_factor.csv": [0] * 4 + [1] * 4 + [2] * 4,
}


@pytest.fixture(scope="module")
def ref() -> dict:
    raw = json.loads((DATA / "validity_expected.json").read_text())
    return {ds: {k: v["value"] for k, v in st.items()} for ds, st in raw.items()
            if ds != "_meta"}


def dataset(name: str) -> np.ndarray:
    cols = load_csv(name)
    return numeric(cols, list(cols))


def off_diagonal(m) -> np.ndarray:
    m = np.asarray(m, dtype=float)
    return m[np.triu_indices_from(m, 1)]


@pytest.mark.parametrize("name", sorted(SETS))
def test_htmt_matches_semtools_and_formula(name, ref):
    h = val.htmt(dataset(name), SETS[name])
    np.testing.assert_allclose(h.htmt, ref[name]["htmt_semtools"], atol=CLOSED, rtol=0)
    np.testing.assert_allclose(h.htmt, ref[name]["htmt_formula"], atol=CLOSED, rtol=0)
    assert h.n == ref[name]["n_obs"]


@pytest.mark.parametrize("name", sorted(SETS))
def test_disattenuated_matches_psych_alpha_and_cor(name, ref):
    d = val.disattenuated_correlations(dataset(name), SETS[name])
    np.testing.assert_allclose(d.alpha, ref[name]["alpha_per_dimension"], atol=CLOSED, rtol=0)
    np.testing.assert_allclose(d.score_correlation, ref[name]["score_correlation"],
                               atol=CLOSED, rtol=0)
    np.testing.assert_allclose(off_diagonal(d.disattenuated),
                               off_diagonal(ref[name]["disattenuated_correlation"]),
                               atol=CLOSED, rtol=0)
    assert np.all(np.diag(d.disattenuated) == 1.0)


@pytest.mark.parametrize("name", sorted(SETS))
def test_cfa_fit_measures_match_lavaan(name, ref):
    c = val.cfa_compare(dataset(name), SETS[name])
    e = ref[name]
    for fit, key in ((c.dimensional, "cfa_dimensional_fit"), (c.one_factor, "cfa_one_factor_fit")):
        assert fit.converged and fit.df == e[key]["df"]
        for measure in ("chisq", "pvalue", "cfi", "tli", "rmsea", "srmr"):
            assert getattr(fit, measure) == pytest.approx(e[key][measure], abs=CFA_FIT), measure
    assert c.baseline_chisq == pytest.approx(e["cfa_dimensional_fit"]["baseline.chisq"],
                                             abs=CFA_FIT)
    assert c.baseline_df == e["cfa_dimensional_fit"]["baseline.df"]
    assert c.chisq_diff == pytest.approx(e["cfa_lrt"]["chisq_diff"], abs=CFA_FIT)
    assert c.df_diff == e["cfa_lrt"]["df_diff"]
    assert c.p_diff == pytest.approx(e["cfa_lrt"]["p"], abs=CFA_FIT)


@pytest.mark.parametrize("name", sorted(SETS))
def test_cfa_estimates_match_lavaan(name, ref):
    c = val.cfa_compare(dataset(name), SETS[name])
    e = ref[name]
    np.testing.assert_allclose(c.dimensional.factor_correlation,
                               e["cfa_dimensional_factor_cor"], atol=CFA_PARAM, rtol=0)
    np.testing.assert_allclose(c.dimensional.loadings, e["cfa_dimensional_loadings"],
                               atol=CFA_PARAM, rtol=0)
    np.testing.assert_allclose(c.dimensional.residual_variance,
                               e["cfa_dimensional_residual_var"], atol=CFA_PARAM, rtol=0)
    np.testing.assert_allclose(c.one_factor.loadings, e["cfa_one_factor_loadings"],
                               atol=CFA_PARAM, rtol=0)


@pytest.mark.parametrize("name", sorted(SETS))
def test_omega_h_matches_psych_omega_minres_oblimin(name, ref):
    m = len(set(SETS[name]))
    o = val.omega_hierarchical(dataset(name), m)
    assert o.converged
    assert o.omega_h == pytest.approx(ref[name]["omega_h_minres"], abs=PSYCH_OMEGA)
    assert o.omega_total == pytest.approx(ref[name]["omega_total_minres"], abs=1e-6)
    np.testing.assert_allclose(o.general_loadings, ref[name]["g_loadings_minres"],
                               atol=PSYCH_OMEGA, rtol=0)
    # psych orders factors by variance: compare the factor correlations as a set
    np.testing.assert_allclose(np.sort(off_diagonal(o.factor_correlation)),
                               np.sort(off_diagonal(ref[name]["phi_minres"])),
                               atol=PSYCH_OMEGA, rtol=0)


def test_schmid_leiman_step_on_psychs_own_solution(ref):
    for name in sorted(SETS):
        e = ref[name]
        r = np.corrcoef(dataset(name), rowvar=False)
        omega_h, _ = val.omega_h_from_solution(e["oblique_loadings_minres"], e["phi_minres"], r)
        # two factors: closed form; three: psych's fa(phi, 1) stops 4e-7 short of exact
        tol = CLOSED if name.startswith("a_") else 1e-6
        assert omega_h == pytest.approx(e["omega_h_minres"], abs=tol)


def test_oblimin_at_gparotation_tolerance_comes_closer_to_psych(ref):
    x = dataset("g_three_factor.csv")
    r = np.corrcoef(x, rowvar=False)
    pattern, phi, ok = val.oblimin(val.varimax(val.minres_factors(r, 3)[0]), eps=1e-5)
    loose, _ = val.omega_h_from_solution(pattern, phi, r)
    tight = val.omega_hierarchical(x, 3).omega_h
    psych = ref["g_three_factor.csv"]["omega_h_minres"]
    assert ok and abs(loose - psych) < 1e-6 < abs(tight - psych)


def test_single_factor_split_is_not_distinct_and_fits_no_better():
    x, dims = dataset("a_single_factor.csv"), SETS["a_single_factor.csv"]
    v = val.dimensions_distinct(x, dims)
    assert v.verdict == val.VERDICT_NOT_DISTINCT and v.pair_codes == (val.PAIR_NOT_DISTINCT,)
    assert v.pair_htmt[0] > 0.95
    c = val.cfa_compare(x, dims)
    assert c.p_diff > 0.5 and c.dimensional.factor_correlation[0, 1] > 0.95


def test_three_factor_data_are_distinct():
    x, dims = dataset("g_three_factor.csv"), SETS["g_three_factor.csv"]
    v = val.dimensions_distinct(x, dims)
    assert v.verdict == val.VERDICT_DISTINCT and v.distinct
    assert max(v.pair_htmt) < 0.7
    assert val.cfa_compare(x, dims).p_diff < 1e-10


# ---- simulated data with known truth ---------------------------------------------------

def simulate(rng, phi, n=400, per=4, loading=0.7):
    """Ordinal 1..5 answers from correlated factors with equal loadings."""
    m = phi.shape[0]
    f = rng.multivariate_normal(np.zeros(m), phi, size=n, method="cholesky")
    x = np.repeat(f, per, axis=1) * loading + np.sqrt(1 - loading**2) * rng.standard_normal(
        (n, m * per))
    return np.clip(np.round(3 + 1.2 * x), 1, 5), np.repeat(np.arange(m), per)


@pytest.mark.parametrize("seed", range(5))
def test_two_identical_factors_are_not_distinct(seed):
    x, dims = simulate(np.random.default_rng([13, seed]), np.ones((2, 2)) + 1e-9 * np.eye(2))
    v = val.dimensions_distinct(x, dims)
    assert v.verdict == val.VERDICT_NOT_DISTINCT
    assert 0.9 < v.pair_htmt[0] < 1.1
    assert val.cfa_compare(x, dims).p_diff > 0.001


@pytest.mark.parametrize("seed", range(5))
def test_three_factors_at_r_half_are_distinct(seed):
    phi = np.full((3, 3), 0.5) + 0.5 * np.eye(3)
    x, dims = simulate(np.random.default_rng([14, seed]), phi)
    v = val.dimensions_distinct(x, dims)
    assert v.verdict == val.VERDICT_DISTINCT
    np.testing.assert_allclose(v.pair_htmt, 0.5, atol=0.12)
    c = val.cfa_compare(x, dims)
    np.testing.assert_allclose(off_diagonal(c.dimensional.factor_correlation), 0.5, atol=0.12)
    assert c.p_diff < 1e-6 and c.dimensional.cfi > c.one_factor.cfi


def test_omega_h_tracks_the_general_factor():
    rng = np.random.default_rng(15)
    strong, dims = simulate(rng, np.full((3, 3), 0.8) + 0.2 * np.eye(3))
    weak, _ = simulate(rng, np.full((3, 3), 0.2) + 0.8 * np.eye(3))
    assert val.omega_hierarchical(strong, 3).omega_h > val.omega_hierarchical(weak, 3).omega_h


# ---- verdict rules and input errors ----------------------------------------------------

def test_threshold_is_a_parameter():
    x, dims = dataset("g_three_factor.csv"), SETS["g_three_factor.csv"]
    assert val.dimensions_distinct(x, dims, threshold=0.5).verdict == val.VERDICT_NOT_DISTINCT
    assert val.dimensions_distinct(x, dims, threshold=0.90).verdict == val.VERDICT_DISTINCT
    with pytest.raises(AnalysisInputError, match="threshold"):
        val.dimensions_distinct(x, dims, threshold=85)


def test_constant_item_gives_not_computable_pair():
    x, dims = dataset("g_three_factor.csv"), SETS["g_three_factor.csv"]
    x = x.copy()
    x[:, 0] = 3.0
    v = val.dimensions_distinct(x, dims)
    assert v.pair_codes[:2] == (val.PAIR_NOT_COMPUTABLE,) * 2
    assert v.pair_codes[2] == val.PAIR_DISTINCT and v.verdict == val.VERDICT_NOT_COMPUTABLE
    with pytest.raises(AnalysisInputError, match="singular"):
        val.cfa_compare(x, dims)


def test_missing_rows_are_dropped_listwise():
    x, dims = dataset("g_three_factor.csv"), SETS["g_three_factor.csv"]
    y = x.copy()
    y[:10, 3] = np.nan
    assert val.htmt(y, dims).n == 390
    np.testing.assert_allclose(val.htmt(y, dims).htmt, val.htmt(x[10:], dims).htmt, atol=1e-14)


@pytest.mark.parametrize(("dims", "match"), [
    ([0] * 8, "two dimensions"), ([0] * 7 + [1], "at least two items"), ([0, 1], "one entry"),
])
def test_bad_item_dimension_is_rejected(dims, match):
    with pytest.raises(AnalysisInputError, match=match):
        val.htmt(dataset("a_single_factor.csv"), dims)


def test_too_few_complete_rows_is_rejected():
    x = np.full((5, 4), np.nan)
    x[0] = 1
    with pytest.raises(AnalysisInputError, match="complete rows"):
        val.cfa_compare(x, [0, 0, 1, 1])
    with pytest.raises(AnalysisInputError, match="n_factors"):
        val.omega_hierarchical(dataset("a_single_factor.csv"), 5)
