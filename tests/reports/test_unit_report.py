import re
from dataclasses import replace

import pytest

from reports.documents import render_unit_report, unit_report_data, unit_report_html
from reports.errors import ReportError, UnsupportedLanguageError
from tests.reports.factories import unit_context
from tests.reports.pdftext import has_phrase, pdf_pages, pdf_text


@pytest.fixture(scope="module")
def pdf_id():
    return pdf_text(render_unit_report(unit_context()))


@pytest.fixture(scope="module")
def pdf_en():
    return pdf_text(render_unit_report(unit_context(), "en"))


def test_cover_names_unit_wave_respondents_and_rate(pdf_id):
    assert "Kelurahan Plaju Ulu" in pdf_id
    assert "2026-Q4" in pdf_id and "Oktober–Desember 2026" in pdf_id
    assert "23 / 31" in pdf_id
    assert "74%" in pdf_id  # 23 / 31 = 0.742


def test_scores_are_rounded_with_their_ci(pdf_id):
    # pooled estimates 70.4 (65.4-75.4) and 37.6 (32.6-42.6) on 0-100, observed 71.4, 38.6
    assert "70 (65–75) 71" in pdf_id
    assert "38 (33–43) 39" in pdf_id


def test_change_verdicts_take_the_scale_direction_into_account(pdf_id, pdf_en):
    # the printed change is the pooled estimate with its interval: 0.8 x 8.6 = 6.88 (-2.12..15.88)
    assert has_phrase(pdf_id, "+7 (−2 … +16) naik — membaik")
    assert has_phrase(pdf_id, "−6 (−15 … +3) turun — memburuk")
    assert has_phrase(pdf_id, "+1 (−8 … +10) tidak ada perubahan yang jelas")
    assert has_phrase(pdf_id, "+1 (−8 … +10) tidak dapat dihitung")
    assert has_phrase(pdf_en, "+7 (−2 … +16) up — better")
    assert has_phrase(pdf_en, "+1 (−8 … +10) no clear change")
    assert not has_phrase(pdf_id, "turun — membaik")


def test_up_on_a_higher_worse_scale_reads_as_worse():
    from instruments.model import Direction
    from reports.wording import trend_words
    assert trend_words("up", Direction.HIGHER_WORSE, "id") == "naik — memburuk"
    assert trend_words("down", Direction.HIGHER_WORSE, "en") == "down — better"


def test_comparison_with_organisation_is_in_words(pdf_id):
    assert has_phrase(pdf_id, "55 · lebih tinggi")
    assert has_phrase(pdf_id, "55 · lebih rendah")


def test_all_seven_sections_are_present_in_order(pdf_en):
    heads = ["Summary", "Trend over time", "Answers per item",
             "Recommended development actions", "Quality of the measurement",
             "Method and privacy"]
    body = pdf_en.split("Contents", 1)[1]
    body = body.split("Method and privacy", 1)[1]  # skip the table of contents
    positions = [body.find(h) for h in heads[:-1]]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)


def test_strongest_and_weakest_respect_direction():
    data = unit_report_data(unit_context(), "en")
    # clearly above/below the rest (evidence standard), by the size of the pooled difference:
    # emotional reaction lower (-15) on a higher-worse scale = better, routine seeking higher
    # (+8) = worse
    assert [d["name"] for d in data["strongest"]] == ["Emotional reaction", "Change commitment"]
    assert [d["name"] for d in data["weakest"]] == ["Change efficacy", "Routine seeking"]
    assert data["none_clear"] == ""


def test_no_clear_difference_says_how_large_a_difference_the_unit_could_see():
    ctx = unit_context()
    sections = tuple(replace(s, dimensions=tuple(replace(d, comparison="similar")
                                                 for d in s.dimensions))
                     for s in ctx.instruments)
    data = unit_report_data(replace(ctx, instruments=sections), "en")
    assert data["strongest"] == data["weakest"] == data["recommendations"] == []
    assert data["none_clear"] == ("No dimension differs clearly. With 23 respondents this unit "
                                  "can only see a difference of about 22 points or more.")


def test_dimensions_that_are_not_distinct_are_not_ranked_or_prescribed():
    from reports.context import Validity

    ctx = unit_context()
    first = replace(ctx.instruments[0], validity=Validity(
        "not_distinct_report_instrument_level", 400, (("cc", "ce"),)))
    data = unit_report_data(replace(ctx, instruments=(first, *ctx.instruments[1:])), "en")
    names = [d["name"] for d in data["strongest"] + data["weakest"]]
    assert "Change commitment" not in names and "Change efficacy" not in names
    assert names == ["Emotional reaction", "Routine seeking"]
    assert data["instrument_level"][0].startswith("Readiness for change: its dimensions cannot")


def test_recommendations_come_from_the_weakest_dimensions(pdf_en):
    assert "Training on Routine seeking" in pdf_en
    assert "E-learning module Change efficacy" in pdf_en
    assert "Training on Change commitment" not in pdf_en


def test_plain_language_explanations(pdf_id):
    flat = re.sub(r"\s+", " ", pdf_id)
    assert "skor 0–100" in flat
    assert "skor lebih tinggi berarti lebih buruk" in flat
    assert "k = 5" in flat
    assert "0,83 (0,80–0,86)" in flat  # alpha with CI, decimal comma in Bahasa Indonesia


def test_english_uses_decimal_point(pdf_en):
    assert "0.83 (0.80–0.86)" in pdf_en


def test_training_event_is_listed(pdf_id):
    assert "2026-Q2: Pelatihan kepemimpinan perubahan" in pdf_id


def test_running_header_and_page_numbers(pdf_id):
    assert "Kelurahan Plaju Ulu · 2026-Q4" in pdf_id
    assert re.search(r"Halaman 3 / \d", pdf_id)


HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>',
           '"><b>Dinas</b> & Co']


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_unit_name_is_escaped_text(name):
    html = unit_report_html(unit_context(unit_name=name))
    assert name not in html
    assert "&lt;" in html
    assert name in pdf_text(render_unit_report(unit_context(unit_name=name)))


def test_unknown_language_is_refused():
    with pytest.raises(UnsupportedLanguageError):
        render_unit_report(unit_context(), "fr")


def test_shown_unit_below_k_is_refused():
    with pytest.raises(ReportError, match="k=5"):
        unit_report_html(unit_context(n_respondents=4))


# ------------------------------------------------------------------ below k

@pytest.mark.parametrize("lang", ["id", "en"])
def test_below_k_report_shows_no_score_and_no_distribution(lang):
    ctx = unit_context(shown=False)  # carries numbers: none of them may be printed
    pdf = render_unit_report(ctx, lang)
    text = pdf_text(pdf)
    assert "Kelurahan Plaju Ulu" in text and "k = 5" in text
    assert pdf_pages(pdf) == 1
    digits = set(re.findall(r"\d+", text))
    # only the wave label, the period's year, k and "page 1 / 1" may appear
    assert digits <= {"2026", "4", "5", "1"}, digits
    for word in ("Komitmen", "Commitment", "Butir", "Item", "Alfa", "Alpha", "23", "31"):
        assert word not in text


def test_below_k_html_contains_no_chart_and_no_dimension():
    html = unit_report_html(unit_context(shown=False), "en")
    assert "data:image" not in html
    assert "Change commitment" not in html
    assert "fewer than k = 5" in html


def test_complementary_suppression_is_explained():
    html = unit_report_html(unit_context(shown=False, suppressed_reason="complementary"), "en")
    assert "subtraction" in html
