"""Code slips: the QR/link URL (code in the #fragment) and the PDF from the reports package."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from flask_babel import get_locale

from .models import Wave
from .services import IssuedCode


class SlipsUnavailable(RuntimeError):
    """The reports package that renders slips is not installed yet."""


def code_url(code: str) -> str:
    """The link printed on a slip and in its QR code: the code travels only in the fragment."""
    return f"{current_app.config['LENTERA_PUBLIC_URL'].rstrip('/')}/isi#{code}"


def slips_pdf(wave: Wave, issued: Sequence[IssuedCode]) -> bytes:
    """Printable slips (one per code, with a QR code) rendered by `reports.slips`."""
    try:
        from reports.slips import Slip, render_code_slips  # type: ignore[import-not-found]
    except ImportError as exc:
        raise SlipsUnavailable("reports.slips is not available; download the CSV") from exc
    slips = [Slip(code=c.code, url=code_url(c.code), unit_name=c.unit_name,
                  wave_label=wave.name, closes_on=wave.closes_on.isoformat()) for c in issued]
    return render_code_slips(slips, lang=str(get_locale() or "id"))
