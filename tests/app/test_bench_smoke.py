"""bench/submit.py still runs end to end (a tiny run; speed itself is measured only in bench/)."""

from __future__ import annotations

import re

import pytest

from bench import submit


@pytest.mark.slow
def test_submit_bench_runs_and_reports_no_errors(tmp_path):
    out = tmp_path / "submit.md"
    assert submit.main(["--seconds", "0.5", "--rounds", "2", "--clients", "2",
                        "--processes", "1", "--backends", "sqlite", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    rounds = re.findall(r"^\| sqlite \| \d \| \d+ \| (\d+) \| [\d.]+ \| [\d.]+ \| (\d+) "
                        r"\| [\d.]+ \|$", text, re.M)
    assert len(rounds) == 2, text
    # the summary row: bare rate, submission rate, p95, errors, median ratio, bare pair's p95
    row = re.search(r"^\| sqlite \| \d+ \| (\d+) \| [\d.]+ \| (\d+) \| [\d.]+ \| [\d.]+ \|$",
                    text, re.M)
    assert row, text
    assert int(row.group(1)) > 0 and int(row.group(2)) == 0
    assert "| sqlite | " in text.split("In-process CPU per request")[1]
    # CPU per pair from /proc: the server's share of both pairs is measured, not left at zero.
    cpu = re.findall(r"^\| sqlite \| (bare|submission) \| ([\d.]+) \|", text, re.M)
    assert [kind for kind, _ in cpu] == ["bare", "submission"], text
    assert all(float(server_ms) > 0 for _, server_ms in cpu), text
