"""Scoring: reverse-keying, scale scores (2/3 rule), 0-100, favourable share, tree roll-up."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from analysis import scoring as sc
from tests.analysis.conftest import load_csv, numeric


def test_reverse_key_reproduces_reference_reversal(items_a, expected):
    raw = numeric(load_csv("a_single_factor_unreversed.csv"), [f"q{i}" for i in range(1, 9)])
    rev = np.zeros(8, bool)
    rev[[2, 5]] = True
    np.testing.assert_array_equal(sc.reverse_key(raw, rev, 5), items_a)
    # psych's scale mean with keys= equals ours here because 1 and 5 both occur
    mean = sc.scale_scores(items_a, np.zeros(8, np.intp))[:, 0].mean()
    assert mean == pytest.approx(expected["a_single_factor.csv"]["scale_mean_keys_on_unreversed"],
                                 abs=1e-12)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 6)),
                  elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, np.nan])),
       st.integers(0, 2**16))
def test_reverse_keying_twice_is_identity(x, seed):
    rev = np.random.default_rng(seed).random(x.shape[1]) < 0.5
    twice = sc.reverse_key(sc.reverse_key(x, rev, 6), rev, 6)
    np.testing.assert_array_equal(twice, x)


def test_reverse_key_rejects_out_of_range_with_position():
    with pytest.raises(ValueError, match="row 1, item 0"):
        sc.reverse_key(np.array([[1.0], [7.0]]), [True], 6)


def test_scale_scores_two_thirds_rule():
    x = np.array([[1, 2, 3, np.nan, np.nan, np.nan],  # 1 of 3 dim1 answered -> NaN
                  [4, 4, np.nan, 2, np.nan, np.nan],  # 2 of 3 -> 4; dim1: 1 of 3 -> NaN
                  [5, np.nan, np.nan, 1, 2, 3]], dtype=float)
    dim = np.array([0, 0, 0, 1, 1, 1])
    x[0, :3] = [1, np.nan, np.nan]
    s = sc.scale_scores(x, dim)
    assert np.isnan(s[0, 0]) and s[1, 0] == 4.0 and np.isnan(s[1, 1]) and s[2, 1] == 2.0
    assert np.isnan(s[2, 0])


def test_score100_and_favourable():
    assert sc.to_score100(np.array([1.0, 3.0, 5.0]), 5).tolist() == [0.0, 50.0, 100.0]
    assert sc.to_score100(3.5, 6) == pytest.approx(50.0)
    fav, ans = sc.favourable_counts(np.array([[3, 4, 5, np.nan], [1, 2, 3, 4]]),
                                    np.array([0, 0, 0, 1]), np.array([5, 6]), 2)
    assert fav.tolist() == [[2, 0], [0, 1]] and ans.tolist() == [[3, 0], [3, 1]]


def test_roll_up_sums_subtrees():
    parent = np.array([-1, 0, 0, 1, 3])
    total = sc.roll_up(parent, np.array([1, 2, 3, 4, 5]))
    assert total.tolist() == [15, 11, 3, 9, 5]
    member = sc.subtree_members(parent)
    assert (member @ np.array([1, 2, 3, 4, 5])).tolist() == total.tolist()


def test_tree_rejects_cycle():
    with pytest.raises(ValueError, match="cycle"):
        sc.tree_depth(np.array([2, 0, 1]))


def test_person_mean_over_answered_items_matches_psych(items_b, expected):
    # psych's scale mean: rowMeans(b, na.rm = TRUE) averaged (no 2/3 rule)
    s = sc.scale_scores(items_b, np.zeros(6, np.intp), min_fraction=1e-9)[:, 0]
    assert s.mean() == pytest.approx(expected["b_missing.csv"]["scale_mean_psych"], abs=1e-12)
    # with the 2/3 rule, the respondents who answered one item only get no score
    assert np.isnan(sc.scale_scores(items_b, np.zeros(6, np.intp))[:, 0]).sum() >= 4


def test_unit_summary_matches_reference_waves(expected):
    cols = load_csv("d_waves.csv")
    score = numeric(cols, [f"q{i}" for i in range(1, 6)]).mean(axis=1)
    codes, unit = np.unique(cols["wave"], return_inverse=True)
    s = sc.unit_summary(score, unit, len(codes))
    e = expected["d_waves.csv"]
    assert s.n.tolist() == list(e["n_by_wave"].values())
    np.testing.assert_allclose(s.mean, list(e["mean_by_wave"].values()), atol=1e-12)
    np.testing.assert_allclose(s.sd, list(e["sd_by_wave"].values()), atol=1e-12)
    rolled = sc.unit_summary(score, unit, 3, parent=np.array([-1, 0, 0]))
    assert rolled.n.tolist() == [len(score), 31, 26]
    assert rolled.mean[0] == pytest.approx(score.mean(), abs=1e-12)
