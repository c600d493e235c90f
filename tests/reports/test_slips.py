import re

import pytest

from reports.errors import ReportError
from reports.slips import Slip, group_code, render_code_slips
from tests.reports.pdftext import pdf_pages, pdf_text


def make_slips(n, unit="Kelurahan Plaju Ulu"):
    codes = [f"K7QM4TXP{i:04d}" for i in range(n)]
    return [Slip(c, f"https://lentera.example/r#{c}", unit, "2026-Q4", "31 Desember 2026")
            for c in codes]


def compact(text):
    return re.sub(r"\s", "", text)


def test_every_code_is_printed_and_eight_fit_on_a_page():
    slips = make_slips(11)
    pdf = render_code_slips(slips)
    assert pdf.startswith(b"%PDF")
    text = compact(pdf_text(pdf))
    for slip in slips:
        assert slip.code in text
    assert pdf_pages(pdf) == 2


def test_codes_are_grouped_for_typing():
    assert group_code("K7QM4TXP9HRW") == "K7QM 4TXP 9HRW"
    assert group_code("K7QM-4TXP-9HRW") == "K7QM-4TXP-9HRW"
    text = pdf_text(render_code_slips(make_slips(1)))
    assert "K7QM 4TXP 0000" in text


def test_instructions_in_bahasa_by_default_and_english_on_request():
    id_text = pdf_text(render_code_slips(make_slips(1)))
    en_text = pdf_text(render_code_slips(make_slips(1), lang="en"))
    assert "Pindai kode QR" in id_text and "Anonim" in id_text
    assert "Scan the QR code" in en_text and "Anonymous" in en_text
    assert "Pindai" not in en_text


def test_the_code_appears_only_in_the_fragment_of_the_printed_address():
    text = pdf_text(render_code_slips(make_slips(1)))
    assert "https://lentera.example/r" in text
    assert "r#K7QM" not in compact(text)


def test_hostile_unit_name_is_printed_as_text():
    pdf = render_code_slips(make_slips(1, unit="<b>Dinas</b> & <script>x()</script>"))
    assert "<b>Dinas</b> & <script>x()</script>" in pdf_text(pdf)


@pytest.mark.parametrize("slips", [[], [Slip(" ", "https://x/r#a", "u", "w", "d")],
                                   [Slip("ABCD", "https://x/r?code=ABCD", "u", "w", "d")]])
def test_unprintable_input_is_refused_with_a_message(slips):
    with pytest.raises(ReportError, match="/"):
        render_code_slips(slips)
