"""Freshly issued codes handed out once: the QR/link URL (code in the #fragment), a CSV, or
printable slips rendered by `reports.slips`."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app

from reports.slips import Slip, render_code_slips

from ..config import RESPOND_PREFIX
from ..i18n import current_lang
from ..models import Wave
from .tables import csv_text
from .waves import IssuedCode


def code_url(code: str) -> str:
    """The link printed on a slip and in its QR code: the code travels only in the fragment."""
    return f"{current_app.config['LENTERA_PUBLIC_URL'].rstrip('/')}{RESPOND_PREFIX}#{code}"


def codes_csv(wave: Wave, issued: Sequence[IssuedCode]) -> bytes:
    """CSV (UTF-8 with BOM, for Excel) of the codes with their URL, unit and closing date."""
    header = ("code", "url", "unit_code", "unit_name", "wave", "closes_on")
    return csv_text([header] + [(c.code, code_url(c.code), c.unit_code, c.unit_name,
                                 wave.name, wave.closes_on.isoformat()) for c in issued]
                    ).encode("utf-8-sig")


def slips_pdf(wave: Wave, issued: Sequence[IssuedCode]) -> bytes:
    """Printable slips, one per code, with a QR code."""
    slips = [Slip(code=c.code, url=code_url(c.code), unit_name=c.unit_name,
                  wave_label=wave.name, closes_on=wave.closes_on.isoformat()) for c in issued]
    return render_code_slips(slips, lang=current_lang())
