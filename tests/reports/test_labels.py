"""Every label a report prints states the truth (issue #13): tests read the PDF text."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import pytest

from reports.documents import (
    render_org_report,
    render_skm_report,
    render_unit_report,
    skm_report_data,
)
from reports.errors import ReportError
from reports.wording import number, percent, printed_change, rounded, score, signed
from tests.reports.factories import org_context, skm_context, unit_context
from tests.reports.pdftext import pdf_text


def _with_scores(ctx, *pairs):
    """`ctx` with the first instrument's dimensions set to (score, previous) pairs."""
    section = ctx.instruments[0]
    dims = tuple(replace(d, score100=s, previous_score100=p, change100=s - p,
                         ci_low100=s - 5, ci_high100=s + 5)
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


def test_printed_change_is_the_difference_of_the_printed_scores():
    # 71.4 - 62.8 = 8.6 would print +9 beside 71 and 63
    assert printed_change(71.4, 62.8) == 8
    assert printed_change(48.5, 33.0) == 16 and printed_change(None, 3.0) is None


def _summary_rows(text):
    """(score, previous, change) of every summary-table row of a unit report."""
    rows = re.findall(r"(\d+) \(\d+–\d+\) (\d+) ([+−]?\d+) ", text)
    return [(int(a), int(b), int(c.replace("−", "-"))) for a, b, c in rows]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_unit_summary_ties_and_changes_add_up_in_the_pdf(lang):
    # 48.5 and 62.5 are exact binary ties; half-to-even printed 48 and 62
    ctx = _with_scores(unit_context(), (48.5, 33.0), (62.5, 70.4))
    rows = _summary_rows(pdf_text(render_unit_report(ctx, lang)))
    assert rows[:2] == [(49, 33, 16), (63, 70, -7)]
    assert rows and all(s - p == c for s, p, c in rows), rows


def test_org_changes_table_adds_up_in_the_pdf():
    ctx = org_context()
    change = replace(ctx.changes[0], previous100=40.5, current100=52.5, change100=12.0)
    text = pdf_text(render_org_report(replace(ctx, changes=(change,))))
    # 41 and 53 (ties away from zero) and their difference +12
    assert re.search(r"Unit 2 Komitmen perubahan 41 53 \+12 naik", text), text


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
    assert "88.31 – 100.00 A" in en and "88,31" not in en
    assert "as printed" in en and "small gaps" not in en
    assert "sebagaimana tercetak" in _skm_flat(skm_context())
