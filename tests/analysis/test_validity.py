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


# ---- instrument_validity: one summary per instrument and wave -------------------------

SUMMARY_CODES = {val.INSTRUMENT_DISTINCT, val.INSTRUMENT_PARTLY_DISTINCT,
                 val.INSTRUMENT_NOT_DISTINCT, val.INSTRUMENT_NOT_COMPUTABLE,
                 val.INSTRUMENT_SINGLE_DIMENSION}


def summary(x, dims, reverse=None, points=5, **kw):
    rev = np.zeros(len(dims), dtype=bool) if reverse is None else reverse
    return val.instrument_validity(x, dims, rev, points, **kw)


def test_summary_matches_r_on_the_three_factor_data(ref):
    name = "g_three_factor.csv"
    e, v = ref[name], summary(dataset(name), SETS[name])
    assert v.verdict == val.INSTRUMENT_DISTINCT and v.groups == ((0,), (1,), (2,))
    assert v.n == e["n_obs"] and v.reason is None and v.warnings == ()
    np.testing.assert_allclose(v.distinct.pair_htmt, off_diagonal(e["htmt_semtools"]),
                               atol=CLOSED, rtol=0)
    np.testing.assert_allclose(off_diagonal(v.disattenuated.disattenuated),
                               off_diagonal(e["disattenuated_correlation"]), atol=CLOSED, rtol=0)
    want = off_diagonal(e["disattenuated_correlation"])
    assert v.max_disattenuated == pytest.approx(want.max(), abs=CLOSED)
    assert v.max_disattenuated_pair == ((0, 1), (0, 2), (1, 2))[int(np.argmax(want))]
    for fit, key in ((v.cfa.dimensional, "cfa_dimensional_fit"),
                     (v.cfa.one_factor, "cfa_one_factor_fit")):
        for measure in ("chisq", "cfi", "rmsea", "srmr"):
            assert getattr(fit, measure) == pytest.approx(e[key][measure], abs=CFA_FIT)
    assert v.cfa.chisq_diff == pytest.approx(e["cfa_lrt"]["chisq_diff"], abs=CFA_FIT)
    np.testing.assert_allclose(v.pair_cfa_correlation,
                               off_diagonal(e["cfa_dimensional_factor_cor"]), atol=CFA_PARAM)
    assert v.omega_h == pytest.approx(e["omega_h_minres"], abs=PSYCH_OMEGA)


def test_summary_reverse_keys_raw_answers_as_r_saw_them(ref):
    raw = dataset("a_single_factor_unreversed.csv")
    reverse = np.zeros(8, dtype=bool)
    reverse[[2, 5]] = True  # q3 and q6, reversed in a_single_factor.csv
    e = ref["a_single_factor.csv"]
    v = summary(raw, SETS["a_single_factor.csv"], reverse=reverse)
    assert v.n == e["n_obs"]
    assert v.distinct.pair_htmt[0] == pytest.approx(e["htmt_semtools"][0][1], abs=CLOSED)
    assert v.cfa.dimensional.chisq == pytest.approx(e["cfa_dimensional_fit"]["chisq"],
                                                    abs=CFA_FIT)
    assert v.cfa.chisq_diff == pytest.approx(e["cfa_lrt"]["chisq_diff"], abs=CFA_FIT)
    assert v.omega_h == pytest.approx(e["omega_h_minres"], abs=PSYCH_OMEGA)
    # one factor split in two: the BIC prefers one factor and HTMT is above .85
    assert v.verdict == val.INSTRUMENT_NOT_DISTINCT and v.groups == ((0, 1),)
    assert v.bic_difference == pytest.approx(
        e["cfa_lrt"]["chisq_diff"] - e["cfa_lrt"]["df_diff"] * np.log(e["n_obs"]), abs=CFA_FIT)


def test_summary_bic_difference_is_lavaans(ref):
    for name in sorted(SETS):
        e = ref[name]
        want = e["cfa_one_factor_bic"] - e["cfa_dimensional_bic"]
        assert val.cfa_compare(dataset(name), SETS[name]).bic_difference == pytest.approx(
            want, abs=1e-6)


def test_complete_row_moments_match_numpy_and_do_not_depend_on_chunks():
    rng = np.random.default_rng(21)
    x = rng.integers(1, 6, (3001, 7)).astype(float)
    x[rng.random(x.shape) < 0.04] = np.nan
    rows = x[~np.isnan(x).any(axis=1)]
    whole = val.complete_row_moments(x)
    for chunk in (1, 17, 1000):
        m = val.complete_row_moments(x, chunk_rows=chunk)
        assert m.n == rows.shape[0] and m.n_given == 3001
        np.testing.assert_array_equal(m.scatter, whole.scatter)  # exact for whole numbers
    np.testing.assert_allclose(whole.cov(), np.cov(rows, rowvar=False), atol=1e-13, rtol=0)
    np.testing.assert_allclose(whole.mean, rows.mean(axis=0), atol=1e-14, rtol=0)
    assert whole.whole and (whole.low == 1).all() and (whole.high == 5).all()
    ints = val.complete_row_moments(np.nan_to_num(x, nan=3).astype(np.int8))
    np.testing.assert_allclose(ints.cov(), np.cov(np.nan_to_num(x, nan=3), rowvar=False),
                               atol=1e-13, rtol=0)


def test_reverse_keyed_moments_equal_moments_of_reversed_rows():
    rng = np.random.default_rng(22)
    x = rng.integers(1, 7, (500, 6)).astype(float)
    rev = np.array([True, False, False, True, False, True])
    y = x.copy()
    y[:, rev] = 7 - y[:, rev]
    got = val.reverse_keyed_moments(val.complete_row_moments(x), rev, 6)
    want = val.complete_row_moments(y)
    np.testing.assert_allclose(got.scatter, want.scatter, atol=1e-9, rtol=0)
    np.testing.assert_allclose(got.mean, want.mean, atol=1e-13, rtol=0)
    np.testing.assert_array_equal(got.low, want.low)
    np.testing.assert_array_equal(got.high, want.high)


@pytest.mark.parametrize("seed", range(4))
def test_summary_three_identical_dimensions_are_one_group(seed):
    x, dims = simulate(np.random.default_rng([31, seed]), np.ones((3, 3)) + 1e-9 * np.eye(3))
    v = summary(x, dims)
    assert v.verdict == val.INSTRUMENT_NOT_DISTINCT and v.groups == ((0, 1, 2),)
    assert v.max_disattenuated > 0.9


@pytest.mark.parametrize("seed", range(4))
def test_summary_three_dimensions_at_r_half_are_distinct(seed):
    x, dims = simulate(np.random.default_rng([32, seed]), np.full((3, 3), 0.5) + 0.5 * np.eye(3))
    v = summary(x, dims)
    assert v.verdict == val.INSTRUMENT_DISTINCT and v.groups == ((0,), (1,), (2,))
    assert v.bic_difference > 0 and v.pair_codes == (val.PAIR_DISTINCT,) * 3


@pytest.mark.parametrize("seed", range(4))
def test_summary_two_identical_and_one_distinct_is_partly_distinct(seed):
    phi = np.array([[1.0, 0.5, 0.5], [0.5, 1.0, 1.0], [0.5, 1.0, 1.0]]) + 1e-9 * np.eye(3)
    x, dims = simulate(np.random.default_rng([33, seed]), phi)
    labels = np.array(["inovasi", "kolaborasi", "refleksi"])[dims]
    v = summary(x, labels)
    assert v.verdict == val.INSTRUMENT_PARTLY_DISTINCT
    assert v.groups == (("inovasi",), ("kolaborasi", "refleksi"))
    assert v.pair_codes == (val.PAIR_DISTINCT, val.PAIR_DISTINCT, val.PAIR_NOT_DISTINCT)
    assert v.max_disattenuated_pair == ("kolaborasi", "refleksi")


def test_summary_groups_join_through_a_shared_neighbour():
    # A ~ B and B ~ C (r = .9) but A, C at r = .7: one group, the conservative reading
    phi = np.array([[1.0, 0.9, 0.7], [0.9, 1.0, 0.9], [0.7, 0.9, 1.0]])
    x, dims = simulate(np.random.default_rng(34), phi, n=3000)
    v = summary(x, dims)
    assert v.pair_codes[1] == val.PAIR_DISTINCT  # (0, 2)
    assert v.groups == ((0, 1, 2),) and v.verdict == val.INSTRUMENT_NOT_DISTINCT


def test_summary_bic_gate_merges_what_htmt_alone_would_split():
    fired = 0
    for seed in range(20):
        x, dims = simulate(np.random.default_rng([16, seed]),
                           np.full((2, 2), 0.85) + 0.15 * np.eye(2), n=100)
        v = summary(x, dims, threshold=0.95)
        pair_distinct = v.pair_codes == (val.PAIR_DISTINCT,)
        gate = v.bic_difference <= 0
        assert (val.WARN_BIC_ONE_FACTOR in v.warnings) == (gate and pair_distinct)
        assert (v.verdict == val.INSTRUMENT_DISTINCT) == (pair_distinct and not gate)
        fired += gate and pair_distinct
    assert fired > 0


def test_summary_single_dimension():
    x, _ = simulate(np.random.default_rng(35), np.eye(1), n=50)
    v = summary(x, ["sikap"] * 4)
    assert v.verdict == val.INSTRUMENT_SINGLE_DIMENSION and v.groups == (("sikap",),)
    assert v.n == 50 and v.cfa is None and np.isnan(v.omega_h)


# ---- degenerate survey data: not_computable with a reason, never an exception ----------

def three_dims(seed=36, n=400):
    return simulate(np.random.default_rng(seed), np.full((3, 3), 0.5) + 0.5 * np.eye(3), n=n)


def test_too_few_complete_rows_is_not_computable():
    x, dims = three_dims(n=120)  # 12 items: needs max(100, 60) = 100 complete rows
    x[:30, 0] = np.nan
    v = summary(x, dims)
    assert v.verdict == val.INSTRUMENT_NOT_COMPUTABLE and v.reason == val.REASON_TOO_FEW_ROWS
    assert v.n == 90 and v.n_given == 120 and v.groups == ()
    assert summary(np.full((500, 12), np.nan), dims).reason == val.REASON_TOO_FEW_ROWS
    assert summary(x[:90], dims).reason == val.REASON_TOO_FEW_ROWS
    assert summary(x[:0], dims).reason == val.REASON_TOO_FEW_ROWS


def test_constant_item_is_dropped_with_a_warning():
    x, dims = three_dims()
    x[:, 0] = 3.0
    v = summary(x, dims)
    assert v.verdict == val.INSTRUMENT_DISTINCT and val.WARN_CONSTANT_DROPPED in v.warnings
    np.testing.assert_array_equal(v.items_used, np.arange(1, 12))
    np.testing.assert_allclose(v.distinct.pair_htmt, summary(x[:, 1:], dims[1:]).distinct.pair_htmt,
                               atol=1e-12)


@pytest.mark.parametrize("drop", [1, 3])
def test_a_dimension_left_with_one_item_is_not_computable(drop):
    x, dims = three_dims()
    if drop == 1:  # a dimension of one item in the instrument itself
        x, dims = x[:, 3:], dims[3:]
    else:  # three of its four items constant in this wave
        x[:, :3] = 2.0
    v = summary(x, dims)
    assert v.verdict == val.INSTRUMENT_NOT_COMPUTABLE and v.reason == val.REASON_SMALL_DIMENSION


def test_copied_item_is_singular():
    x, dims = three_dims()
    x[:, 1] = x[:, 0]
    v = summary(x, dims)
    assert v.reason == val.REASON_SINGULAR and v.distinct is None


def test_items_that_do_not_cohere_are_not_computable():
    rng = np.random.default_rng(37)
    x, dims = three_dims()
    x[:, :4] = rng.integers(1, 6, (x.shape[0], 4))  # noise items
    flip = rng.random(x.shape[0]) < 0.7  # mostly the mirror of item 0: keyed the other way
    x[flip, 1] = 6 - x[flip, 0]
    v = summary(x, dims)
    assert v.reason == val.REASON_UNCORRELATED and v.distinct is None


def test_cfa_that_does_not_converge_is_not_computable(monkeypatch):
    fit = val._fit_ml

    def stalls(s, pattern):  # the optimiser as it behaves when it stops short
        theta, f, _ = fit(s, pattern)
        return theta, f, pattern.shape[1] == 1

    monkeypatch.setattr(val, "_fit_ml", stalls)
    v = summary(*three_dims())
    assert v.verdict == val.INSTRUMENT_NOT_COMPUTABLE and v.reason == val.REASON_CFA_FAILED
    assert not v.cfa.dimensional.converged and v.cfa.one_factor.converged
    assert val.WARN_NOT_CONVERGED not in v.warnings and v.groups == ()


@pytest.mark.parametrize("seed", range(3))
def test_identical_factors_cfa_converges_at_the_boundary(seed):
    # factor correlations at 1: BFGS steps into an indefinite Sigma whose determinant is
    # positive; only a Cholesky check keeps the line search in the admissible region
    x, dims = simulate(np.random.default_rng([38, seed]), np.ones((3, 3)) + 1e-9 * np.eye(3),
                       n=5000)
    c = val.cfa_compare(x, dims)
    assert c.dimensional.converged and c.chisq_diff >= 0
    np.testing.assert_allclose(off_diagonal(c.dimensional.factor_correlation), 1, atol=0.03)


@pytest.mark.parametrize("seed", range(30))
def test_random_degenerate_data_never_raise(seed):
    rng = np.random.default_rng([39, seed])
    k = int(rng.integers(2, 13))
    n = int(rng.choice([0, 1, 5, 60, 150, 400]))
    x = rng.integers(1, int(rng.integers(2, 6)) + 1, (n, k)).astype(float)
    x[rng.random(x.shape) < rng.choice([0.0, 0.02, 0.5])] = np.nan
    x[:, rng.random(k) < 0.2] = 1.0  # some constant items
    dims = rng.integers(0, int(rng.integers(1, 4)), k)
    v = summary(x, dims, reverse=rng.random(k) < 0.3)
    assert v.verdict in SUMMARY_CODES
    assert (v.reason is None) == (v.verdict != val.INSTRUMENT_NOT_COMPUTABLE)
    flat = [d for g in v.groups for d in g]
    assert not v.groups or sorted(flat) == sorted(set(dims.tolist()))


@pytest.mark.parametrize(("kw", "match"), [
    ({"values": np.full((200, 4), 6.0)}, "outside 1..5"),
    ({"values": np.full((200, 4), 2.5)}, "whole numbers"),
    ({"item_reverse": [False] * 3}, "one flag per item"),
    ({"item_dimension": [0, 1]}, "one entry per item"),
    ({"points": [5, 5]}, "points"),
    ({"threshold": 85}, "threshold"),
    ({"values": np.ones(4)}, "2-D"),
])
def test_summary_rejects_arguments_that_are_not_survey_answers(kw, match):
    args = {"values": np.ones((200, 4)), "item_dimension": [0, 0, 1, 1],
            "item_reverse": [False] * 4, "points": 5} | kw
    with pytest.raises(AnalysisInputError, match=match):
        val.instrument_validity(**args)


def test_docstring_example_runs():
    import doctest

    result = doctest.testmod(val)
    assert result.attempted >= 1 and result.failed == 0


@pytest.mark.parametrize("n_factors", [1, 2, 3])
def test_minres_gradient_matches_finite_differences(n_factors):
    from scipy import optimize

    r = np.corrcoef(dataset("g_three_factor.csv"), rowvar=False)
    psi = np.random.default_rng(40).uniform(0.2, 0.8, 12)
    f, grad = val._minres_value_and_gradient(psi, r, n_factors)
    assert f == pytest.approx(val._minres_objective(psi, r, n_factors)[0], abs=1e-15)
    numeric = optimize.approx_fprime(
        psi, lambda p: val._minres_objective(p, r, n_factors)[0], 1e-7)
    np.testing.assert_allclose(grad, numeric, atol=1e-6, rtol=0)


def test_matrix_entry_points_equal_the_raw_data_functions():
    x, dims = dataset("g_three_factor.csv"), SETS["g_three_factor.csv"]
    n, c = x.shape[0], np.cov(x, rowvar=False)
    r = np.corrcoef(x, rowvar=False)
    np.testing.assert_allclose(val.htmt_from_cor(r, dims, n).htmt, val.htmt(x, dims).htmt,
                               atol=1e-14, rtol=0)
    np.testing.assert_allclose(val.disattenuated_from_cov(c, dims, n).disattenuated,
                               val.disattenuated_correlations(x, dims).disattenuated,
                               atol=1e-14, rtol=0)
    got = val.cfa_compare_from_cov(c * (n - 1) / n, dims, n)
    assert got.chisq_diff == pytest.approx(val.cfa_compare(x, dims).chisq_diff, abs=1e-8)
    assert val.omega_hierarchical_from_cor(r, 3, n).omega_h == pytest.approx(
        val.omega_hierarchical(x, 3).omega_h, abs=1e-10)
    assert val.distinct_from_htmt(val.htmt(x, dims)) == val.dimensions_distinct(x, dims)
