"""The crash drill's own checks can fail, and its quick form passes on both databases."""

from __future__ import annotations

import collections
import os

import pytest

from bench.crash import (
    BASE,
    DIGITS,
    Check,
    DrillResult,
    Tally,
    decode,
    fingerprint_answers,
    item_codes,
    main,
)


def test_fingerprints_round_trip_and_stay_in_range():
    items = item_codes()
    assert len(items) == 50
    for index in (0, 1, 4, 5, 123, 9_999, BASE**DIGITS - 1):
        answers = fingerprint_answers(index, items)
        assert all(1 <= int(answers[c]) <= BASE for c in items)
        assert decode({c: int(answers[c]) for c in items}, items) == index


def _result(acked, used, prints, responses=None, used_codes=None, partial=0, integrity="ok"):  # type: ignore[no-untyped-def]
    tally = Tally(acked=set(acked), told_used=set(used))
    n = sum(prints.values())
    check = Check(responses if responses is not None else n,
                  used_codes if used_codes is not None else n,
                  collections.Counter(prints), partial, integrity)
    return DrillResult("sqlite", 1, 1, 1, tally, check, 1.0)


def test_drill_reports_each_broken_promise():
    assert _result({1, 2}, {3}, {1: 1, 2: 1, 3: 1, 4: 1}).problems == []
    assert "not stored exactly once" in _result({1, 2}, set(), {1: 1}).problems[0]
    assert any("more than once" in p for p in _result({1}, set(), {1: 2}).problems)
    assert "not stored exactly once" in _result(set(), {7}, {}).problems[0]
    assert "used codes" in _result({1}, set(), {1: 1}, used_codes=2).problems[0]
    assert "without all answers" in _result({1}, set(), {1: 1}, partial=1).problems[0]
    assert "integrity" in _result({1}, set(), {1: 1}, integrity="page 3 corrupt").problems[0]
    leaky = _result({1}, set(), {1: 1})
    leaky.logs = (10, 2)
    assert "log lines" in leaky.problems[0]


def _pg_reachable() -> bool:
    import psycopg

    try:
        psycopg.connect(os.environ.get("LENTERA_TEST_PG_URL",
                                       "postgresql://root@127.0.0.1:5432/test"),
                        connect_timeout=3).close()
        return True
    except psycopg.OperationalError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                            marks=pytest.mark.postgres)])
def test_quick_crash_drill_passes(backend, capsys):
    if backend == "postgres" and not _pg_reachable():
        if os.environ.get("LENTERA_REQUIRE_PG") == "1":
            pytest.fail("PostgreSQL required but unreachable")
        pytest.skip("PostgreSQL unreachable")
    assert main(["--quick", "--backends", backend, "--clients", "8"]) == 0
    report = capsys.readouterr().out
    assert "Result: PASS" in report
    row = next(line for line in report.splitlines() if line.startswith(f"| {backend} |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert int(cells[6]) > 0  # something was acknowledged, so the check was not vacuous
    assert cells[10] == "0" and cells[11] == "0" and cells[12] == "yes"
    lines, breaches = (int(x) for x in cells[15].split("/"))
    assert lines > 0 and breaches == 0  # the logs were written and audited
