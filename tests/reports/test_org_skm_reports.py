import re

import pytest

from reports.documents import (
    org_report_data,
    org_report_html,
    render_org_report,
    render_skm_report,
    skm_report_data,
)
from reports.errors import ReportError
from tests.reports.factories import org_context, skm_context
from tests.reports.pdftext import pdf_text


@pytest.fixture(scope="module")
def org_pdf():
    return pdf_text(render_org_report(org_context()))


def test_org_report_has_all_sections(org_pdf):
    for head in ("Peta skor unit × dimensi", "Sebaran skor unit",
                 "Unit dengan perubahan yang jelas", "Tingkat respons", "Kualitas pengukuran"):
        assert org_pdf.count(head) >= 2  # table of contents and the section itself


def test_significant_change_row(org_pdf):
    flat = re.sub(r"\s+", " ", org_pdf)
    assert "40 53 +10 (+2 … +18) naik — 9" in flat  # "membaik" wraps to the next line


def test_suppressed_units_show_no_count(org_pdf):
    rows = {line.split(" ")[1]: line for line in org_pdf.splitlines() if line.startswith("Unit ")}
    assert "t.d." in rows["4"] and "tidak dilaporkan" in rows["4"]
    assert "23" not in rows["4"]  # would be 20 + 3 if the count leaked
    assert re.search(r"Unit 1 20 30 67%", org_pdf)


def test_heatmap_marks_suppressed_cells():
    data = org_report_data(org_context(), "id")
    import base64
    assert len(data["heatmaps"]) == 1
    svg = base64.b64decode(data["heatmaps"][0].split(",", 1)[1]).decode()
    assert svg.count(">t.d.<") == 4  # units 4 and 8, two dimensions each
    assert data["n_suppressed"] == 2


def test_heatmap_is_deterministic():
    a = org_report_data(org_context(), "en")["heatmaps"]
    b = org_report_data(org_context(), "en")["heatmaps"]
    assert a == b


def test_large_organisations_get_several_heatmap_pictures():
    data = org_report_data(org_context(n_units=60), "id")
    assert len(data["heatmaps"]) == 3  # 61 rows in pictures of 25


def test_org_rows_must_match_dimensions():
    ctx = org_context()
    from dataclasses import replace
    bad = replace(ctx, units=(replace(ctx.units[0], scores100=(1.0,)),) + ctx.units[1:])
    with pytest.raises(ReportError, match="scores for 2"):
        org_report_html(bad)


def test_hostile_unit_name_in_org_report():
    from dataclasses import replace
    ctx = org_context()
    name = "<script>alert(1)</script>"
    ctx = replace(ctx, units=ctx.units[:1] + (replace(ctx.units[1], name=name),) + ctx.units[2:])
    assert name not in org_report_html(ctx)
    assert name in pdf_text(render_org_report(ctx))


# ------------------------------------------------------------------ SKM

def test_skm_report_layout_values():
    text = pdf_text(render_skm_report(skm_context()))
    flat = re.sub(r"\s+", " ", text)
    # NRR 3.21 x 0.111.. = 0.357; IKM = mean of the nine = 3.162; x 25 = 79.06
    assert "Persyaratan 3,21 0,357" in flat
    assert "3,162" in flat and "79,06" in flat
    assert "Baik" in flat and " B " in flat
    assert "278" in flat and "belum terpenuhi" in flat  # 120 < 278 for population 1000
    assert "Permenpan" in flat or "PANRB" in flat


def test_skm_adequate_sample_and_english():
    text = pdf_text(render_skm_report(skm_context(n=300), "en"))
    assert "met" in text and "not met" not in text
    assert "Converted IKM" in text


def test_skm_below_k_shows_no_values():
    data = skm_report_data(skm_context(n=3), "id")
    assert data["unsur"] == [] and data["ikm"] == "" and data["mutu"] == ""
    text = pdf_text(render_skm_report(skm_context(n=3)))
    assert "79,06" not in text and "3,21" not in text


def test_skm_unknown_grade_is_refused():
    with pytest.raises(ReportError):
        skm_report_data(skm_context(mutu="E"), "id")


def test_culture_and_ikm_correlations_are_printed_with_their_caveat():
    import dataclasses

    from reports.context import CultureIkmCorrelation, CultureIkmRow

    ctx = org_context()
    n_dims = len(ctx.dimensions)
    rows = tuple(CultureIkmRow(f"Kelurahan {i}", "2026", 40 + i, 70.0 + i,
                               tuple(60.0 + i + j for j in range(n_dims))) for i in range(12))
    ctx = dataclasses.replace(ctx, culture_ikm=rows, culture_ikm_correlations=(
        CultureIkmCorrelation(0, 12, 0.31, -0.3, 0.74),))
    text = " ".join(pdf_text(render_org_report(ctx)).split())
    assert "Korelasi peringkat dengan IKM (rentang 95%)" in text and "0,31" in text
    assert "Korelasi Spearman antar-unit dari 12 unit pelayanan" in text
    assert "Kelurahan 11" in text and "81,00" in text  # the 12th unit, in a second table
    data = org_report_data(ctx, "en")
    assert [len(t["units"]) for t in data["culture_ikm"]] == [8, 4]
