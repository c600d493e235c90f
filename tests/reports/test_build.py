"""The analysis -> context builder, on a small synthetic organisation."""

import numpy as np
import pytest

wave_mod = pytest.importorskip("analysis.wave")

from instruments.model import (  # noqa: E402
    Action,
    Dimension,
    Direction,
    Instrument,
    Item,
    Option,
    Referent,
    Scale,
    Text,
)
from reports.build import (  # noqa: E402
    InstrumentWave,
    WaveInfo,
    build_org_context,
    build_unit_context,
    instrument_layout,
    shown_scores100,
    tree_order,
)
from reports.documents import render_org_report, render_unit_report  # noqa: E402
from tests.reports.pdftext import pdf_text  # noqa: E402

NAMES = ["Pemerintah Kota", "Kecamatan Plaju", "Kelurahan Plaju Ulu", "Kelurahan Talang Putri",
         "Dinas Kecil"]
PARENT = np.array([-1, 0, 1, 1, 0])
SIZES = [6, 4, 14, 12, 3]  # own respondents; Dinas Kecil is below k = 5


def instrument():
    opts = tuple(Option(v, Text(f"o{v}", f"o{v}")) for v in range(1, 6))
    dims = []
    for code, name in (("cc", "Komitmen"), ("ce", "Efikasi")):
        items = tuple(Item(f"{code}{i}", code, i == 3, Text(f"Butir {code}{i}", f"Item {code}{i}"))
                      for i in range(1, 4))
        dims.append(Dimension(code, Text(name, name + " (en)"), Text("d", "d"),
                              (Action("training", Text(f"Aksi {name}", f"Action {name}")),),
                              items))
    scale = Scale("ready", Text("Kesiapan", "Readiness"), 5, opts, Referent.COLLECTIVE,
                  Direction.HIGHER_BETTER, tuple(dims))
    return Instrument("readiness", "1.0", "culture", Text("Kesiapan", "Readiness"),
                      Text("", ""), "Shea et al. 2014", Text("", ""), (scale,), (), "x.toml")


def wave_data(seed, shift=0.0):
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(len(SIZES)), SIZES)
    base = np.array([3.0, 3.2, 3.9, 2.6, 3.0])[unit] + shift
    values = np.clip(np.rint(base[:, None] + rng.normal(0, 0.8, (unit.size, 6))), 1, 5)
    values[:, [2, 5]] = 6 - values[:, [2, 5]]  # reverse-keyed items answered reversed
    return wave_mod.WaveData(values=values, unit=unit, unit_parent=PARENT,
                             **instrument_layout(instrument()))


@pytest.fixture(scope="module")
def waves():
    previous = wave_data(1)
    current = wave_data(2, shift=0.4)
    prev_result = wave_mod.analyse_wave(previous, k=5)
    result = wave_mod.analyse_wave(current, k=5, previous=previous)
    return [InstrumentWave(instrument(), current, result, (shown_scores100(prev_result),))]


INFO = WaveInfo("Pemerintah Kota Palembang", "2026-Q4", "Okt–Des 2026", ("2026-Q3", "2026-Q4"),
                previous_wave_label="2026-Q3")


def test_tree_order_is_depth_first_with_depths():
    assert tree_order(PARENT.tolist(), NAMES) == [(0, 0), (4, 1), (1, 1), (2, 2), (3, 2)]


def test_unit_context_takes_scores_from_analysis(waves):
    ctx = build_unit_context(2, NAMES, waves, INFO, n_invited=20)
    result = waves[0].result
    assert ctx.shown and ctx.n_respondents == 14
    dims = ctx.instruments[0].dimensions
    assert dims[0].score100 == pytest.approx(result.score100[2, 0], abs=1e-12)
    assert dims[1].ci_low100 == pytest.approx(result.score100_ci_low[2, 1], abs=1e-12)
    assert dims[0].trend == result.trend.verdict[2, 0]
    assert dims[0].change100 == pytest.approx(result.trend.diff[2, 0] * 25, abs=1e-12)
    assert dims[0].rwg_j == pytest.approx(result.rwg_j[2, 0], abs=1e-12)
    series = ctx.instruments[0].trend[0].scores100
    assert series[-1] == pytest.approx(result.score100[2, 0])
    assert len(series) == 2


def test_item_shares_count_the_subtree(waves):
    ctx = build_unit_context(1, NAMES, waves, INFO)
    items = ctx.instruments[0].items
    assert [i.n for i in items] == [30] * 6  # 4 + 14 + 12 respondents
    first = waves[0].data.values[4:34, 0]
    assert items[0].shares[2] == pytest.approx(np.mean(first == 3))
    assert sum(items[0].shares) == pytest.approx(1)


def test_suppressed_unit_gets_the_short_context(waves):
    result = waves[0].result
    assert not result.shown[4]
    ctx = build_unit_context(4, NAMES, waves, INFO)
    assert not ctx.shown and ctx.instruments == () and ctx.n_respondents is None
    text = pdf_text(render_unit_report(ctx))
    assert "Dinas Kecil" in text and "k = 5" in text


def test_unit_report_from_analysis_renders(waves):
    ctx = build_unit_context(2, NAMES, waves, INFO, n_invited=20)
    text = pdf_text(render_unit_report(ctx, "en"))
    score = f"{waves[0].result.score100[2, 0]:.0f}"
    assert "Kelurahan Plaju Ulu" in text and score in text


def test_org_context_hides_what_analysis_hides(waves):
    ctx = build_org_context(NAMES, waves, INFO, n_invited=[60, 10, 20, 20, 8])
    rows = {row.name: row for row in ctx.units}
    assert ctx.units[0].name == "Pemerintah Kota" and ctx.n_respondents == sum(SIZES)
    result = waves[0].result
    for u, name in enumerate(NAMES):
        assert rows[name].shown == bool(result.shown[u])
        if not result.shown[u]:
            assert rows[name].n is None and rows[name].scores100 == (None, None)
    text = pdf_text(render_org_report(ctx))
    assert "Kelurahan Talang Putri" in text


def test_whole_wave_quality_is_empty_when_a_root_is_hidden():
    """Two organisations, the second below k: no whole-wave figure includes its answers."""
    data = wave_data(3)
    unit = np.r_[np.asarray(data.unit), [5, 5, 5]]
    values = np.vstack([np.asarray(data.values), np.full((3, 6), 1.0)])
    two = wave_mod.WaveData(values=values, unit=unit, unit_parent=np.r_[PARENT, -1],
                            **{k: getattr(data, k) for k in ("item_dimension", "item_reverse",
                                                              "dimension_points",
                                                              "dimension_collective")})
    result = wave_mod.analyse_wave(two, k=5)
    assert not result.organisation_shown and result.shown[0]
    ctx = build_unit_context(1, [*NAMES, "Lain"], [InstrumentWave(instrument(), two, result)],
                             INFO)
    for q in ctx.instruments[0].quality:
        assert (q.n, q.alpha, q.omega, q.icc1, q.icc2) == (0, None, None, None, None)
    one = wave_mod.analyse_wave(data, k=5)
    ctx = build_unit_context(1, NAMES, [InstrumentWave(instrument(), data, one)], INFO)
    assert all(q.alpha is not None for q in ctx.instruments[0].quality)


def test_org_context_sets_service_units_ikm_beside_their_culture_scores(waves):
    from reports.context import ServiceIkm

    service = [ServiceIkm(2, "2026", 120, 81.25), ServiceIkm(3, "2026", 95, 70.5),
               ServiceIkm(1, "2026", 60, 77.0), ServiceIkm(4, "2026", 4, None),
               ServiceIkm(0, "2026", 300, 79.9)]
    ctx = build_org_context(NAMES, waves, INFO, service=service)
    rows = {r.name: r for r in ctx.culture_ikm}
    units = {u.name: u for u in ctx.units}
    for name, row in rows.items():  # the same scores as the heatmap's rows
        assert row.scores100 == units[name].scores100
    assert rows["Dinas Kecil"].converted is None
    assert rows["Dinas Kecil"].scores100 == (None, None)  # below k in the culture wave too
    both = [r for r in ctx.culture_ikm if r.converted is not None
            and r.scores100[0] is not None]
    assert len(both) == 3  # Talang Putri is hidden beside Dinas Kecil (complementary rule)
    assert ctx.culture_ikm_correlations == ()  # fewer than 10 units with both figures
    text = " ".join(pdf_text(render_org_report(ctx)).split())
    assert "Budaya kerja dan kepuasan masyarakat" in text and "81,25" in text
    assert "Hanya 3 unit pelayanan yang memiliki IKM dan skor budaya" in text
