"""Unit-tree checks of the import, on generated trees (no database needed)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from survey_app.services.units import UnitRow, check_tree, parse_rows


@st.composite
def forests(draw):  # type: ignore[no-untyped-def]
    """Rows of a random forest: unit i's parent is one of units 0..i-1 or none."""
    n = draw(st.integers(min_value=1, max_value=30))
    parents = [draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None
               for i in range(n)]
    order = draw(st.permutations(range(n)))  # file order independent of tree order
    return [UnitRow(row + 2, f"U{i}", f"Unit {i}", "" if parents[i] is None
                    else f"U{parents[i]}", 1) for row, i in enumerate(order)]


@given(forests())
def test_any_forest_passes(rows):
    assert check_tree(rows, {}) == []


@given(forests(), st.data())
def test_pointing_a_unit_at_its_own_descendant_is_a_cycle(rows, data):
    victim = data.draw(st.sampled_from(rows))
    descendants = {victim.code}
    changed = True
    while changed:
        changed = False
        for r in rows:
            if r.parent_code in descendants and r.code not in descendants:
                descendants.add(r.code)
                changed = True
    target = data.draw(st.sampled_from(sorted(descendants)))
    bad = [r if r is not victim else UnitRow(r.row, r.code, r.name, target, 1)
           for r in rows]
    errors = check_tree(bad, {})
    assert any(e.kind == "cycle" and e.value == victim.code for e in errors)


@given(forests(), st.data())
def test_unknown_parent_is_named_with_its_row(rows, data):
    victim = data.draw(st.sampled_from(rows))
    bad = [r if r is not victim else UnitRow(r.row, r.code, r.name, "NOPE", 1) for r in rows]
    errors = check_tree(bad, {})
    assert [(e.row, e.kind, e.value) for e in errors] == [(victim.row, "unknown_parent", "NOPE")]


def test_parse_rows_reports_each_problem_with_its_row():
    rows, errors = parse_rows([
        (2, {"code": "A", "name": "Unit A", "parent_code": "", "headcount": "3"}),
        (3, {"code": "", "name": "x", "parent_code": "", "headcount": "1"}),
        (4, {"code": "A", "name": "dup", "parent_code": "", "headcount": "1"}),
        (5, {"code": "B", "name": "", "parent_code": "A", "headcount": "2.5"}),
    ])
    assert [r.code for r in rows] == ["A"]
    assert [(e.row, e.kind) for e in errors] == [
        (3, "empty_code"), (4, "duplicate_code"), (5, "empty_name"), (5, "bad_headcount")]
