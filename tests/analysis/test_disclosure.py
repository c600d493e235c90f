"""Disclosure control: k and complementary suppression (anonymity.md rules 4-5).

The property test re-derives what an attacker learns with its own, independent encoding of
the subtraction relations and checks that no group of 1..k-1 respondents can be recovered.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.disclosure import BELOW_K, COMPLEMENTARY, EMPTY, suppress


def _attacker_view(parent, direct, cut, res):
    """Cells (name -> count) and relations (total, parts) an attacker can subtract with."""
    u = len(parent)
    kids = {t: [v for v in range(u) if parent[v] == t] for t in range(u)}

    def subtree(t):
        return [t] + [w for v in kids[t] for w in subtree(v)]

    count, known, rel = {}, set(), []
    for t in range(u):
        sub = subtree(t)
        count[("T", t)] = int(sum(direct[s] for s in sub))
        count[("D", t)] = int(direct[t])
        rel.append((("T", t), [("D", t)] + [("T", v) for v in kids[t]]))
        if res.shown[t]:
            known.add(("T", t))
        if cut is not None:
            c = cut.shape[1]
            for j in range(c):
                count[("C", t, j)] = int(sum(cut[s, j] for s in sub))
                count[("DC", t, j)] = int(cut[t, j])
                rel.append((("C", t, j), [("DC", t, j)] + [("C", v, j) for v in kids[t]]))
                if res.cut_shown[t, j]:
                    known.add(("C", t, j))
            count[("N", t)] = count[("T", t)] - sum(count[("C", t, j)] for j in range(c))
            count[("DN", t)] = int(direct[t] - cut[t].sum())
            rel.append((("T", t), [("C", t, j) for j in range(c)] + [("N", t)]))
            rel.append((("N", t), [("DN", t)] + [("N", v) for v in kids[t]]))
            rel.append((("D", t), [("DC", t, j) for j in range(c)] + [("DN", t)]))
    known |= {cell for cell, n in count.items() if n == 0}
    return count, known, rel


def _close(known, rel):
    changed = True
    while changed:
        changed = False
        for total, parts in rel:
            cells = [total, *parts]
            unknown = [c for c in cells if c not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                changed = True
    return known


def _check_safe(parent, direct, cut, k):
    res = suppress(parent, direct, k, cut)
    assert (res.counts[res.shown] >= k).all()
    if cut is not None:
        assert (res.cut_counts[res.cut_shown] >= k).all()
    assert_no_leak(parent, direct, cut, res, k)
    return res


def assert_no_leak(parent, direct, cut, res, k):
    """No group of 1..k-1 respondents is derivable from what `res` shows (shown, cut_shown)."""
    count, known, rel = _attacker_view(parent, direct, cut, res)
    for (kind, *_), n in count.items():
        if kind in ("T", "C") and n < k:
            assert not ((kind, *_) in known and n > 0), "a shown cell is below k"
    known = _close(set(known), rel)
    leaked = [c for c in known if 0 < count[c] < k]
    assert leaked == []
    for total, parts in rel:
        if total in known:
            hidden = sum(count[p] for p in parts if p not in known)
            assert hidden == 0 or hidden >= k, (total, parts)


@st.composite
def trees(draw, with_cut):
    u = draw(st.integers(1, 12))
    parent = [-1] + [draw(st.integers(-1, i - 1)) for i in range(1, u)]  # forests too
    direct = np.array([draw(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 30]))
                       for _ in range(u)], dtype=np.int64)
    cut = None
    if with_cut:
        cut = np.zeros((u, 2), dtype=np.int64)
        for t in range(u):
            a = draw(st.integers(0, int(direct[t])))
            b = draw(st.integers(0, int(direct[t]) - a))
            cut[t] = (a, b)
    return np.array(parent), direct, cut, draw(st.sampled_from([3, 5, 10]))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(trees(with_cut=False))
def test_no_group_below_k_is_derivable_on_generated_trees(case):
    _check_safe(*case)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(trees(with_cut=True))
def test_no_group_below_k_is_derivable_with_cut(case):
    _check_safe(*case)


def test_the_anonymity_md_example_suppresses_a_second_child():
    # parent n = 23 with children 8, 6, 7, 2: the 2 would be 23 - (8 + 6 + 7)
    res = _check_safe(np.array([-1, 0, 0, 0, 0]), np.array([0, 8, 6, 7, 2]), None, 5)
    assert list(res.counts) == [23, 8, 6, 7, 2]
    assert list(res.shown) == [True, True, False, True, False]
    assert list(res.reason) == ["", "", COMPLEMENTARY, "", BELOW_K]


def test_parent_direct_respondents_count_as_a_pseudo_child():
    # parent has 2 own respondents: parent 22 - children (10 + 10) would reveal them
    res = _check_safe(np.array([-1, 0, 0]), np.array([2, 10, 10]), None, 5)
    assert res.shown.sum() == 2 and res.shown[0]


def test_cut_cells_are_protected_against_unit_total():
    # unit of 12: 10 struktural, 2 fungsional -> both cut cells hidden
    res = _check_safe(np.array([-1]), np.array([12]), np.array([[10, 2]]), 5)
    assert res.shown[0] and not res.cut_shown.any()
    assert list(res.cut_reason[0]) == [COMPLEMENTARY, BELOW_K]


def test_unanswered_cut_is_a_hidden_pseudo_cell():
    # 10 + 9 answered, 1 did not answer: showing both cells and the total reveals that person
    res = _check_safe(np.array([-1]), np.array([20]), np.array([[10, 9]]), 5)
    assert list(res.cut_shown[0]) == [True, False]
    assert res.cut_reason[0, 1] == COMPLEMENTARY


def test_empty_units_are_not_shown():
    res = suppress(np.array([-1, 0]), np.array([10, 0]), 5)
    assert list(res.reason) == ["", EMPTY]


@pytest.mark.parametrize("k", [2, 0, 4.5])
def test_k_below_three_is_rejected(k):
    with pytest.raises(ValueError, match="k must"):
        suppress(np.array([-1]), np.array([10]), k)


def test_cycle_and_bad_counts_are_rejected():
    with pytest.raises(ValueError, match="cycle"):
        suppress(np.array([1, 0]), np.array([5, 5]), 5)
    with pytest.raises(ValueError, match="exceed"):
        suppress(np.array([-1]), np.array([5]), 5, np.array([[4, 4]]))


def test_fails_safe_when_no_cell_can_be_chosen(monkeypatch):
    import analysis.disclosure as disclosure_module

    monkeypatch.setattr(disclosure_module, "_pick", lambda *a: None)
    res = suppress(np.array([-1, 0, 0, 0, 0]), np.array([0, 8, 6, 7, 2]), 5)
    assert not res.shown.any()
