"""Unit vs rest, percentile ranks, SKM index and Krejcie & Morgan sample sizes."""

import numpy as np
import pytest

from analysis import compare, skm, trends


def test_unit_vs_rest_equals_welch_on_raw_data():
    rng = np.random.default_rng(7)
    org = rng.normal(3.5, 0.6, 200)
    unit = org[:40]
    res = compare.unit_vs_rest(40, unit.mean() - 3, unit.var(ddof=1), 200, org.mean() - 3,
                               org.var(ddof=1))
    ref = trends.welch_t(org[40:], unit)
    for field in ("t", "df", "p", "ci_low", "ci_high", "diff"):
        assert float(getattr(res, field)) == pytest.approx(float(getattr(ref, field)), abs=1e-10)


def test_percentile_rank_mid_rank_within_peers():
    v = np.array([1.0, 2.0, 2.0, 4.0, np.nan, 9.0])
    peers = np.array([0, 0, 0, 0, 0, 1])
    p = compare.percentile_rank(v, peers)
    np.testing.assert_allclose(p[:4], [12.5, 50.0, 50.0, 87.5])
    assert np.isnan(p[4]) and p[5] == 50.0


def test_skm_index_by_hand():
    x = np.tile(np.array([[4, 3, 3, 4, 2, 3, 4, 4, 3]], float), (4, 1))
    x[0, 0] = 2
    r = skm.skm_index(x)
    nrr = x.mean(axis=0)
    assert r.nrr.tolist() == nrr.tolist()
    assert r.ikm == pytest.approx(nrr.sum() / 9, abs=1e-12)
    assert r.converted == pytest.approx(25 * nrr.sum() / 9, abs=1e-12)
    assert r.mutu == "B" and r.kinerja == "baik"  # 25 * 3.2778 = 81.94


@pytest.mark.parametrize(("converted", "mutu"), [
    (25.0, "D"), (64.99, "D"), (65.0, "C"), (76.60, "C"), (76.605, "C"), (76.61, "B"),
    (88.30, "B"), (88.31, "A"), (100.0, "A")])
def test_mutu_thresholds(converted, mutu):
    assert skm.mutu_for(converted) == mutu


def test_skm_rejects_out_of_range():
    x = np.full((2, 9), 3.0)
    x[1, 4] = 5
    with pytest.raises(ValueError, match="row 1, U5"):
        skm.skm_index(x)


@pytest.mark.parametrize(("population", "sample"), [
    (10, 10), (50, 44), (100, 80), (500, 217), (1000, 278), (5000, 357), (10000, 370)])
def test_krejcie_morgan_reproduces_table(population, sample):
    assert skm.krejcie_morgan(population) == sample


def test_sample_adequacy():
    a = skm.sample_adequacy(279, 1000)
    assert a.required == 278 and a.adequate
    assert not skm.sample_adequacy(277, 1000).adequate
    with pytest.raises(ValueError, match="population"):
        skm.sample_adequacy(10, 0)
