"""The development plan PDF: plain data in, the text a BKPSDM files out (checked by
extracting it), numbers in the document's language, totals without cancelled actions."""

from __future__ import annotations

import io

import pdfplumber
import pytest

from reports.errors import ReportError
from reports.plan import PlanDocument, PlanRow, plan_html, render_plan, rupiah
from tests.reports.pdftext import has_phrase, pdf_text


def _row(title: str, **changes: object) -> PlanRow:
    values: dict[str, object] = {
        "title": title, "target": "Budaya belajar: Dialog dan bertanya", "group": "Fungsional",
        "path": "Klasikal", "provider": "BPSDM Sumsel", "schedule": "Maret–Mei 2027",
        "hours_jp": 16.0, "budget": 12_500_000, "status": "Direncanakan", "cancelled": False,
        "delivered_jp": 0.0, **changes}
    return PlanRow(**values)  # type: ignore[arg-type]


def _doc(rows: tuple[PlanRow, ...], **changes: object) -> PlanDocument:
    values: dict[str, object] = {
        "org_name": "Pemerintah Kota Plaju", "unit_name": 'Puskesmas <img src="http://x/y">',
        "year": 2027, "status": "Draf", "wave_label": "Budaya kerja 2026-Q4", "headcount": 11,
        "rows": rows, "delivered_jp": 77.0, "generated_on": "2026-12-08", **changes}
    return PlanDocument(**values)  # type: ignore[arg-type]


ROWS = (_row("Pelatihan komunikasi efektif", delivered_jp=48.0),
        _row("Kuliah kepemimpinan", path="Kemitraan", hours_jp=32.5, budget=40_000_000,
             cancelled=True, status="Dibatalkan"),
        _row("Coaching pasca pelatihan", path="Coaching/mentoring", hours_jp=4.0, budget=0,
             delivered_jp=29.0))


def test_plan_pdf_text_and_totals():
    pdf = render_plan(_doc(ROWS))
    text = pdf_text(pdf)
    assert "Rencana Pengembangan Kompetensi 2027" in text
    assert 'Unit kerja Puskesmas <img src="http://x/y">' in text  # escaped, never fetched
    assert "Disusun dari hasil gelombang Budaya kerja 2026-Q4" in text
    assert has_phrase(text, "Pelatihan komunikasi efektif") and "Rp 12.500.000" in text
    assert "32,5" in text and "Dibatalkan" in text
    # totals leave the cancelled action out: 16 + 4 JP, Rp 12.500.000 + 0; delivered 48 + 29
    assert has_phrase(text, "Jumlah (tanpa tindakan yang dibatalkan) 20,0 Rp 12.500.000 77,0")
    # 77 JP of 20 x 11 = 220: 7,0 JP per ASN, 35 %
    assert has_phrase(text, "Target: 20 JP × jumlah pegawai 220")
    assert has_phrase(text, "JP per ASN 7,0") and has_phrase(text, "Capaian terhadap target 35 %")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        assert page.width > page.height  # landscape: eleven columns stay legible


def test_plan_pdf_in_english_and_without_actions():
    text = pdf_text(render_plan(_doc(ROWS), "en"))
    assert "Competence Development Plan 2027" in text and "IDR 12,500,000" in text
    assert has_phrase(text, "JP per ASN 7.0")
    empty = pdf_text(render_plan(_doc((), headcount=0, delivered_jp=0.0)))
    assert "Rencana ini belum memiliki tindakan." in empty
    assert has_phrase(empty, "JP per ASN –") and has_phrase(empty, "Capaian terhadap target –")


def test_plan_html_refuses_a_negative_headcount_and_formats_rupiah():
    with pytest.raises(ReportError):
        plan_html(_doc(ROWS, headcount=-1))
    assert (rupiah(0, "id"), rupiah(1_234_567, "id"), rupiah(1_234_567, "en")) == (
        "Rp 0", "Rp 1.234.567", "IDR 1,234,567")
