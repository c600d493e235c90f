"""Printable A4 sheets of cut-out participation-code slips (anonymity.md, rule 1)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import segno

from reports.errors import ReportError
from reports.i18n import register
from reports.render import render_html, render_pdf

SLIPS_PER_PAGE = 8  # 2 columns x 4 rows of 105 mm x 74 mm (an A4 sheet cut in eight)


@dataclass(frozen=True)
class Slip:
    """One person's code for one wave; `url` carries the code in its ``#fragment``."""

    code: str
    url: str
    unit_name: str
    wave_label: str
    closes_on: str


def group_code(code: str, size: int = 4) -> str:
    """The code as printed: kept as given when already grouped, else in groups of `size`."""
    code = code.strip()
    if re.search(r"[-\s]", code):
        return code
    return " ".join(code[i:i + size] for i in range(0, len(code), size))


def _qr_data_uri(url: str) -> str:
    """The QR code of `url` as an SVG data URI (error correction M survives a crease)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=2)


def _validate(slips: Sequence[Slip]) -> None:
    """Raise a `ReportError` naming the first slip that cannot be printed."""
    if not slips:
        raise ReportError("Tidak ada kode untuk dicetak. / There are no codes to print.")
    for number, slip in enumerate(slips, start=1):
        if not slip.code.strip():
            raise ReportError(f"Slip {number}: kode kosong. / Slip {number}: empty code.")
        if "#" not in slip.url:
            raise ReportError(
                f"Slip {number}: URL harus membawa kode di bagian #fragmen. / "
                f"Slip {number}: the URL must carry the code in its #fragment."
            )


def render_code_slips(slips: Sequence[Slip], lang: str = "id") -> bytes:
    """A PDF of A4 sheets with one cut-out slip per code (code, QR, instructions)."""
    _validate(slips)
    rows = [
        {"code": group_code(s.code), "qr": _qr_data_uri(s.url), "unit_name": s.unit_name,
         "wave_label": s.wave_label, "closes_on": s.closes_on,
         "address": s.url.split("#", 1)[0]}
        for s in slips
    ]
    pages = [rows[i:i + SLIPS_PER_PAGE] for i in range(0, len(rows), SLIPS_PER_PAGE)]
    return render_pdf(render_html("slips.html", lang, pages=pages))


register({
    "slips.title": {"id": "Kode partisipasi survei", "en": "Survey participation code"},
    "slips.scan": {
        "id": "Pindai kode QR dengan ponsel, atau buka alamat di bawah dan ketik kode ini.",
        "en": "Scan the QR code with your phone, or open the address below and type this code.",
    },
    "slips.once": {
        "id": "Kode hanya dapat dipakai satu kali. Isi sebelum {closes_on}.",
        "en": "The code can be used once. Answer before {closes_on}.",
    },
    "slips.promise": {
        "id": "Anonim: kode tidak disimpan bersama jawaban Anda, sehingga tidak seorang pun "
              "dapat menghubungkannya dengan Anda.",
        "en": "Anonymous: the code is not stored with your answers; nobody can link them to you.",
    },
    "slips.cut": {"id": "Gunting di garis putus-putus", "en": "Cut along the dashed lines"},
})
