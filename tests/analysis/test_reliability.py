"""Reliability against psych 2.2.9 (tests/data/expected.json) plus properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import reliability as rel
from tests.analysis.conftest import CLOSED, OPTIM, load_csv, numeric, values


def test_alpha_single_factor_matches_psych(items_a, expected):
    e = expected["a_single_factor.csv"]
    r = rel.cronbach_alpha(items_a)
    assert r.n == e["n_obs"] and r.k == 8 and r.reason is None
    assert r.alpha == pytest.approx(e["alpha_raw"], abs=CLOSED)
    assert r.alpha_std == pytest.approx(e["alpha_std"], abs=CLOSED)
    assert r.average_r == pytest.approx(e["average_r"], abs=CLOSED)
    ci = e["alpha_ci95_feldt_formula"]
    assert r.alpha_ci == pytest.approx((ci["lower"], ci["upper"]), abs=CLOSED)
    np.testing.assert_allclose(r.r_drop, values(e["r_drop"]), atol=CLOSED, rtol=0)
    np.testing.assert_allclose(r.alpha_if_deleted, values(e["alpha_drop_raw"]), atol=CLOSED,
                               rtol=0)
    np.testing.assert_allclose(r.alpha_std_if_deleted, values(e["alpha_drop_std"]),
                               atol=CLOSED, rtol=0)


def test_omega_total_matches_psych_omega_minres(items_a, expected):
    e = expected["a_single_factor.csv"]
    r = rel.cronbach_alpha(items_a)
    assert r.omega_total == pytest.approx(e["omega_total_psych_omega_minres"], abs=OPTIM)
    assert r.omega_total == pytest.approx(e["omega_total_minres_exact_obsden"], abs=1e-12)


def test_minres_loadings_match_exact_solver(items_a, expected):
    loadings, converged = rel.minres_one_factor(np.corrcoef(items_a, rowvar=False))
    assert converged
    np.testing.assert_allclose(loadings, values(expected["a_single_factor.csv"][
        "minres_exact_loadings"]), atol=1e-12, rtol=0)
    np.testing.assert_allclose(loadings, values(expected["a_single_factor.csv"][
        "fa1_minres_loadings"]), atol=OPTIM, rtol=0)


def test_pairwise_matches_psych_default(items_b, expected):
    e = expected["b_missing.csv"]
    r = rel.cronbach_alpha(items_b, missing="pairwise")
    assert r.n == e["n_rows"]  # psych's Feldt n: all rows
    assert r.alpha == pytest.approx(e["alpha_raw_pairwise"], abs=CLOSED)
    assert r.alpha_std == pytest.approx(e["alpha_std_pairwise"], abs=CLOSED)
    assert r.alpha_ci == pytest.approx(tuple(values(e["alpha_ci95_feldt_pairwise"])), abs=CLOSED)
    np.testing.assert_allclose(r.r_drop, values(e["r_drop_pairwise"]), atol=CLOSED, rtol=0)
    np.testing.assert_allclose(r.alpha_if_deleted, values(e["alpha_drop_raw_pairwise"]),
                               atol=CLOSED, rtol=0)
    assert r.omega_total == pytest.approx(e["omega_total_psych_omega_minres_pairwise"], abs=OPTIM)


def test_listwise_matches_psych_on_complete_rows(items_b, expected):
    e = expected["b_missing.csv"]
    r = rel.cronbach_alpha(items_b)
    assert r.n == e["n_complete_rows"]
    assert r.alpha == pytest.approx(e["alpha_raw_naomit"], abs=CLOSED)
    assert r.alpha == pytest.approx(e["alpha_raw_completeobs"], abs=CLOSED)
    assert r.alpha_ci == pytest.approx(tuple(values(e["alpha_ci95_feldt_naomit"])), abs=CLOSED)
    np.testing.assert_allclose(r.r_drop, values(e["r_drop_naomit"]), atol=CLOSED, rtol=0)
    np.testing.assert_allclose(r.alpha_if_deleted, values(e["alpha_drop_raw_naomit"]),
                               atol=CLOSED, rtol=0)


def test_pairwise_cov_matches_listwise_without_missing(items_a):
    np.testing.assert_allclose(rel.pairwise_cov(items_a), np.cov(items_a, rowvar=False),
                               atol=1e-12)
    np.testing.assert_allclose(rel.pairwise_cor(items_a), np.corrcoef(items_a, rowvar=False),
                               atol=1e-12)


def test_zero_variance_item_is_dropped_like_psych(expected):
    x = numeric(load_csv("e1_zero_variance.csv"), [f"q{i}" for i in range(1, 6)])
    r = rel.cronbach_alpha(x)
    e = expected["e1_zero_variance.csv"]
    assert r.k == e["nvar_used_psych"] and list(r.items_used) == [0, 1, 2, 3]
    assert r.alpha == pytest.approx(e["alpha_raw_psych"], abs=CLOSED)
    assert rel.WARN_ZERO_VARIANCE in r.warnings


def test_two_respondents_are_not_computable():
    x = numeric(load_csv("e2_n2.csv"), [f"q{i}" for i in range(1, 5)])
    r = rel.cronbach_alpha(x)
    assert not r.computable and r.reason == rel.REASON_TOO_FEW_RESPONDENTS
    assert np.isnan(r.alpha) and "3" in r.message


def test_single_item_is_not_computable():
    r = rel.cronbach_alpha(np.array([[1.0, 2.0], [2.0, 2.0], [3.0, 2.0], [4.0, 2.0]]))
    assert r.reason == rel.REASON_TOO_FEW_ITEMS and r.k == 1


def test_bad_missing_policy_is_rejected(items_a):
    with pytest.raises(ValueError, match="listwise"):
        rel.cronbach_alpha(items_a, missing="mean")


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.integers(3, 40), st.integers(2, 6), st.integers(0, 2**32 - 1))
def test_alpha_of_identical_items_is_one(n, k, seed):
    col = np.random.default_rng(seed).integers(1, 6, n).astype(float)
    col[:2] = [1.0, 5.0]  # guarantee variance
    r = rel.cronbach_alpha(np.tile(col[:, None], (1, k)))
    assert r.alpha == pytest.approx(1.0, abs=1e-12)
    assert r.alpha_std == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["listwise", "pairwise"]))
def test_alpha_invariant_to_item_and_respondent_order(seed, missing):
    rng = np.random.default_rng(seed)
    x = np.clip(np.round(3 + rng.normal(size=(60, 1)) + rng.normal(size=(60, 5))), 1, 5)
    x[rng.random(x.shape) < 0.05] = np.nan
    rows, cols = rng.permutation(60), rng.permutation(5)
    a = rel.cronbach_alpha(x, missing)
    b = rel.cronbach_alpha(x[np.ix_(rows, cols)], missing)
    assert b.alpha == pytest.approx(a.alpha, abs=1e-12)
    assert b.omega_total == pytest.approx(a.omega_total, abs=1e-9)
    np.testing.assert_allclose(b.r_drop, a.r_drop[cols], atol=1e-12)


def test_pairwise_with_an_unpaired_item_is_not_computable():
    x = np.array([[1, 2, np.nan], [2, 3, np.nan], [3, 3, np.nan], [4, np.nan, 1],
                  [np.nan, 4, 3], [np.nan, 5, 2]], dtype=float)
    r = rel.cronbach_alpha(x, missing="pairwise")
    assert r.reason == rel.REASON_TOO_FEW_RESPONDENTS and "joint" in r.message


def test_indefinite_pairwise_matrix_gives_a_result_not_an_exception():
    x = np.array([[1, 2, np.nan], [2, 3, np.nan], [3, 3, np.nan], [4, 5, 1], [5, np.nan, 2],
                  [np.nan, 4, 3]], dtype=float)
    r = rel.cronbach_alpha(x, missing="pairwise")
    assert r.computable and np.isfinite(r.alpha)


def test_uncorrected_item_total_r_matches_psych_raw_r(items_a, expected):
    r = rel.cronbach_alpha(items_a)
    np.testing.assert_allclose(r.r_total, values(expected["a_single_factor.csv"]["raw_r"]),
                               atol=CLOSED, rtol=0)
