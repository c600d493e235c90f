"""Every label a report prints states the truth (issue #13): tests read the PDF text."""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest

from analysis import wave as wave_mod
from instruments.model import Direction
from reports.build import InstrumentWave, build_unit_context, instrument_layout
from reports.documents import (
    org_report_data,
    render_org_report,
    render_skm_report,
    render_unit_report,
    skm_report_data,
    unit_report_data,
)
from reports.errors import ReportError
from reports.wording import number, percent, rounded, score, signed
from tests.reports.factories import org_context, skm_context, unit_context
from tests.reports.pdftext import has_phrase, pdf_text
from tests.reports.test_build import INFO, NAMES, PARENT, instrument


def _with_scores(ctx, *pairs):
    """`ctx` with the first instrument's dimensions set to (score, previous) pairs."""
    section = ctx.instruments[0]
    dims = tuple(replace(d, score100=s, previous_score100=p, change100=s - p,
                         ci_low100=s - 5, ci_high100=s + 5, estimate100=s, change_est100=s - p,
                         estimate_ci_low100=s - 5, estimate_ci_high100=s + 5)
                 for d, (s, p) in zip(section.dimensions, pairs, strict=True))
    return replace(ctx, instruments=(replace(section, dimensions=dims),) + ctx.instruments[1:])


# ------------------------------------------------------------------ rounding (item 6)

@pytest.mark.parametrize(("value", "digits", "text"), [
    (48.5, 0, "49"), (62.5, 0, "63"), (47.5, 0, "48"), (-15.5, 0, "-16"), (-14.5, 0, "-15"),
    (0.125, 2, "0.13"), (0.375, 2, "0.38"), (-0.125, 2, "-0.13"),
    # not ties: the stored binary value decides (2.675 is 2.67499999..., 64.995 is 64.99500...)
    (2.675, 2, "2.67"), (64.995, 2, "65.00"), (-0.4, 0, "0"), (-0.004, 2, "0.00")])
def test_ties_round_half_away_from_zero_on_the_exact_value(value, digits, text):
    assert number(value, digits, "en") == text
    assert number(value, digits, "id") == text.replace(".", ",")


def test_signed_and_percent_round_ties_away_from_zero():
    assert [signed(v, "id") for v in (15.5, -15.5, 0.5, -0.5, -0.49, 0.0)] == [
        "+16", "−16", "+1", "−1", "0", "0"]
    assert percent(0.625, "en") == "63%" and percent(0.485, "en") == "48%"  # 0.485 < tie
    # 0.615 is stored as 0.61499999...; multiplied in floating point it becomes exactly 61.5
    assert 0.615 * 100 == 61.5 and rounded(0.615, 0, scale=100) == Decimal(61)
    assert score(None, "en") == "–" and signed(float("nan"), "en") == "–"


def _summary_rows(text):
    """(estimate, observed, previous, change) of every summary-table row of a unit report."""
    rows = re.findall(r"(\d+) \(\d+–\d+\) (\d+) (\d+) ([+−]?\d+) ", text)
    return [(int(a), int(b), int(c), int(d.replace("−", "-"))) for a, b, c, d in rows]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_unit_summary_ties_round_away_from_zero_in_the_pdf(lang):
    # 48.5 and 62.5 are exact binary ties; half-to-even printed 48 and 62. The change is the
    # pooled estimate (here set to the unrounded difference 15.5 and -7.9), printed on its own.
    ctx = _with_scores(unit_context(), (48.5, 33.0), (62.5, 70.4))
    text = pdf_text(render_unit_report(ctx, lang))
    rows = _summary_rows(text)
    assert rows[:2] == [(49, 49, 33, 16), (63, 63, 70, -8)], rows
    assert has_phrase(text, {"id": "tidak selalu sama dengan selisih dua angka yang tercetak",
                             "en": "not always the difference of two printed figures"}[lang])


def test_org_changes_table_adds_up_in_the_pdf():
    ctx = org_context()
    change = replace(ctx.changes[0], previous100=40.5, current100=52.5, estimate100=10.5,
                     ci_low100=2.5, ci_high100=18.5)
    text = pdf_text(render_org_report(replace(ctx, changes=(change,))))
    # 41 and 53 (ties away from zero) and the pooled change +11 (+3 … +19), estimated apart
    assert "41 53 +11 (+3 … +19) naik" in re.sub(r"\s+", " ", text), text


# ------------------------------------------------------------------ SKM (item 7)

def _skm_flat(ctx, lang="id"):
    return re.sub(r"\s+", " ", pdf_text(render_skm_report(ctx, lang)))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_skm_weight_is_printed_as_one_ninth(lang):
    flat = _skm_flat(skm_context(), lang)
    assert "× 1/9)" in flat
    assert "0,111" not in flat and "0.111" not in flat


@pytest.mark.parametrize(("converted", "printed", "mutu", "kinerja"), [
    (88.305, "88,31", "A", "Sangat Baik"),  # stored as 88.30500000000000682...
    (88.3049, "88,30", "B", "Baik"), (76.605, "76,61", "B", "Baik"),
    (64.995, "65,00", "C", "Kurang Baik"), (64.99, "64,99", "D", "Tidak Baik")])
def test_skm_printed_value_and_grade_agree(converted, printed, mutu, kinerja):
    ctx = skm_context(ikm=converted / 25, converted=converted, mutu=mutu)
    data = skm_report_data(ctx, "id")
    assert (data["converted"], data["mutu"], data["kinerja"]) == (printed, mutu, kinerja)
    flat = _skm_flat(ctx)
    # the three boxes interleave in the text: value, "(IKM × 25) <grade>", value again
    assert flat.count(printed) >= 2 and re.search(rf"25\) {mutu} ", flat), flat


def test_skm_report_refuses_a_grade_that_contradicts_the_printed_value():
    # the old rule graded 88.305 on the unrounded value: B beside a printed 88,31
    with pytest.raises(ReportError, match="88.31"):
        render_skm_report(skm_context(ikm=88.305 / 25, converted=88.305, mutu="B"))


def test_skm_bands_and_note_follow_the_language():
    en = _skm_flat(skm_context(), "en")
    # the table's first column is the perception value 1-4, not an NRR
    assert "Perception Converted IKM" in en and "NRR per element IKM" not in en
    assert "88.31 – 100.00 A" in en and "88,31" not in en
    assert "as printed" in en and "small gaps" not in en
    assert "sebagaimana tercetak" in _skm_flat(skm_context())


# ------------------------------------------------------------------ from analysis to the PDF

SIZES = [6, 0, 14, 3, 12]  # Kelurahan Talang Putri (3) is below k, so Plaju Ulu (14) is
# hidden to protect it: Kecamatan Plaju (17) minus Plaju Ulu would give Talang Putri


def _instrument(direction):
    ins = instrument()
    scale = replace(ins.scales[0], direction=direction)
    return replace(ins, scales=(scale,))


def _analysed(direction=Direction.HIGHER_BETTER, sizes=SIZES):
    """One wave of the test_build organisation with some items left unanswered."""
    rng = np.random.default_rng(13)
    unit = np.repeat(np.arange(len(sizes)), sizes)
    values = np.clip(np.rint(3.2 + rng.normal(0, 1.0, (unit.size, 6))), 1, 5)
    values[rng.random(values.shape) < 0.08] = np.nan
    ins = _instrument(direction)
    data = wave_mod.WaveData(values=values, unit=unit, unit_parent=PARENT,
                             **instrument_layout(ins))
    return InstrumentWave(ins, data, wave_mod.analyse_wave(data, k=5))


def test_unit_alpha_and_favourable_share_come_from_the_units_own_answers():
    w = _analysed(Direction.HIGHER_WORSE, sizes=[6, 4, 14, 12, 3])
    ctx = build_unit_context(2, NAMES, [w], INFO)
    values = w.data.values[np.asarray(w.data.unit) == 2]  # a leaf: its subtree is itself
    for j, d in enumerate(ctx.instruments[0].dimensions):
        cols = values[:, 3 * j:3 * j + 3]
        assert d.unit_alpha_n == int((~np.isnan(cols)).all(axis=1).sum())
        assert d.unit_alpha == pytest.approx(w.result.unit_alpha[2, j], abs=1e-12)
        # higher is worse: the favourable side is below the midpoint, not above it
        assert d.favourable == pytest.approx(w.result.below_midpoint[2, j], abs=1e-12)
        assert d.favourable != pytest.approx(w.result.favourable[2, j])
    better = build_unit_context(2, NAMES, [_analysed(sizes=[6, 4, 14, 12, 3])], INFO)
    assert better.instruments[0].dimensions[0].favourable == pytest.approx(
        _analysed(sizes=[6, 4, 14, 12, 3]).result.favourable[2, 0], abs=1e-12)


def test_a_unit_hidden_to_protect_another_is_told_the_truth():
    w = _analysed()
    assert list(w.result.disclosure.reason[2:4]) == ["complementary", "below_k"]
    hidden = build_unit_context(2, NAMES, [w], INFO)
    assert hidden.suppressed_reason == "complementary"
    assert hidden.included_in == "Kecamatan Plaju"
    text = re.sub(r"\s+", " ", pdf_text(render_unit_report(hidden, "en")))
    assert "did nothing wrong" in text and "Kecamatan Plaju" in text
    assert "encourage more staff" not in text
    small = re.sub(r"\s+", " ", pdf_text(render_unit_report(
        build_unit_context(3, NAMES, [w], INFO))))
    assert "ajak lebih banyak pegawai" in small and "tidak melakukan kesalahan" not in small


# ------------------------------------------------------------------ unit report labels

def _unit_alpha_ctx(unit_alpha, n):
    ctx = unit_context()
    section = ctx.instruments[0]
    dims = tuple(replace(d, unit_alpha=unit_alpha, unit_alpha_n=n) for d in section.dimensions)
    quality = tuple(replace(q, alpha=0.70, alpha_ci_low=0.66, alpha_ci_high=0.74)
                    for q in section.quality)
    return replace(ctx, instruments=(replace(section, dimensions=dims, quality=quality),)
                   + ctx.instruments[1:])


def test_reliability_table_shows_the_units_own_alpha_beside_the_organisations():
    text = pdf_text(render_unit_report(_unit_alpha_ctx(-0.14, 6)))
    assert has_phrase(text, "Unit ini Seluruh organisasi")
    assert has_phrase(text, "-0,14 (n = 6) lemah", gap=3)
    assert "0,70 (0,66–0,74)" in text  # the organisation's, in its own column
    en = pdf_text(render_unit_report(_unit_alpha_ctx(-0.14, 6), "en"))
    assert has_phrase(en, "This unit Whole organisation") and "-0.14 (n = 6)" in en


@pytest.mark.parametrize(("lang", "words"), [
    ("id", "tidak dapat dihitung (kurang dari 3 responden lengkap)"),
    ("en", "not computable (fewer than 3 complete respondents)")])
def test_unit_alpha_below_three_complete_rows_is_not_computable(lang, words):
    ctx = _unit_alpha_ctx(None, 2)
    rows = unit_report_data(ctx, lang)["instruments"][0]["quality"]
    assert [r["unit_alpha_words"] for r in rows] == [words, words]
    # the cell wraps and interleaves with its neighbours in the PDF text
    assert has_phrase(pdf_text(render_unit_report(ctx, lang)), "(n = 2) " + words, gap=25)


@pytest.mark.parametrize(("lang", "column", "old"), [
    ("id", "Bagian lain organisasi", "di atas organisasi"),
    ("en", "Rest of the organisation", "above the organisation")])
def test_comparison_group_is_named_the_rest_of_the_organisation(lang, column, old):
    text = pdf_text(render_unit_report(unit_context(), lang))
    flat = re.sub(r"\s+", " ", text)
    assert has_phrase(text, column) and f"\u201c{column}\u201d" in flat  # header and note
    assert old not in flat


@pytest.mark.parametrize(("lang", "header", "rule"), [
    ("id", "Jawaban ke arah baik", "di bawah titik tengah bila skor tinggi berarti lebih buruk"),
    ("en", "Favourable answers", "below it where a higher score is worse")])
def test_favourable_share_is_defined_per_direction(lang, header, rule):
    flat = re.sub(r"\s+", " ", pdf_text(render_unit_report(unit_context(), lang)))
    assert header in flat and rule in flat and "Jawaban positif" not in flat


def test_hidden_dimension_of_a_shown_unit_is_marked_and_explained():
    ctx = unit_context()
    section = ctx.instruments[0]
    hidden = replace(section.dimensions[1], score100=None, ci_low100=None, ci_high100=None,
                     unit_alpha=None)
    ctx = replace(ctx, instruments=(replace(section, dimensions=(
        section.dimensions[0], hidden)),) + ctx.instruments[1:])
    flat = re.sub(r"\s+", " ", pdf_text(render_unit_report(ctx, "en")))
    assert re.search(r"Change (efficacy )?n\.r\.", flat)  # the name may wrap in its cell
    assert "The mark says nothing about the number of respondents" in flat


@pytest.mark.parametrize(("lang", "true", "false"), [
    ("id", "memuat nilai sebenarnya pada sekitar 95 dari 100 survei", "hampir pasti"),
    ("en", "contain the true value in about 95 of 100 surveys", "very probably")])
def test_confidence_interval_is_explained_correctly(lang, true, false):
    flat = re.sub(r"\s+", " ", pdf_text(render_unit_report(unit_context(), lang)))
    assert true in flat and "bisa saja berada di luar" in flat if lang == "id" else true in flat
    assert false not in flat


@pytest.mark.parametrize(("lang", "false", "true"), [
    ("id", "rata-rata unit bermakna sebagai", "tidak membuktikan bahwa rata-rata unit"),
    ("en", "the unit mean is meaningful as", "it does not show that the unit mean is dependable"),
    ("en", "agreeing with it is the unfavourable answer", "a higher option lowers the dimension"),
    ("en", "within what chance alone produces", "Neither means that nothing changed"),
    ("en", "(fewer than 5 respondents). Dashed", "or hidden to protect another group"),
    ("en", "100 that everyone chose the highest", "(on reverse-keyed items: the highest)"),
    ("en", "Numbers are rounded for display only.",
     "One evidence standard applies to every verdict")])
def test_other_sentences_of_the_unit_report_are_true(lang, false, true):
    flat = re.sub(r"\s+", " ", pdf_text(render_unit_report(unit_context(), lang)))
    assert true in flat and false not in flat


# ------------------------------------------------------------------ organisation report labels

@pytest.mark.parametrize("lang", ["id", "en"])
def test_hidden_cells_claim_no_count(lang):
    data_mark = {"id": "t.d.", "en": "n.r."}[lang]
    text = pdf_text(render_org_report(org_context(), lang))
    flat = re.sub(r"\s+", " ", text)
    assert "<5" not in text
    rows = [line for line in text.splitlines() if line.startswith(("Unit 4", "Unit 8"))]
    assert len(rows) == 2 and all(data_mark in row for row in rows)
    assert f"\u201c{data_mark}\u201d =" in flat  # the legend, beside heatmap and table
    assert flat.count(f"\u201c{data_mark}\u201d =") == 2
    svg = base64.b64decode(org_report_data(org_context(), lang)["heatmaps"][0]
                           .split(",", 1)[1]).decode()
    assert svg.count(f">{data_mark}<") == 4 and "&lt;5" not in svg


def test_org_quality_intro_does_not_equate_agreement_with_dependable_means():
    flat = re.sub(r"\s+", " ", pdf_text(render_org_report(org_context(), "en")))
    assert "agreement does not show that unit means are dependable" in flat
    assert "the change is estimated on its own" in flat
