"""The runnable examples in analysis docstrings stay true."""

import doctest

import analysis.wave


def test_wave_docstring_example_runs():
    result = doctest.testmod(analysis.wave)
    assert result.attempted >= 3 and result.failed == 0
