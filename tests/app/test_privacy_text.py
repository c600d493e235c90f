"""The reports' privacy text states exactly what the response tables store (issue #12)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

import reports.texts  # noqa: F401  (registers the report texts)
from reports.i18n import translate
from survey_app.models import Answer, Response

# Words of the stored-fields sentence -> the column (or table) that holds it.
TERMS = {
    "id": {"unit": "unit_id", "gelombang": "wave_id", "jawaban": "answer", "jabatan": "cut"},
    "en": {"unit": "unit_id", "wave": "wave_id", "answers": "answer", "position": "cut"},
}
STORED = {"id": r"Yang disimpan: (.*?)\. Tidak disimpan: (.*?)\.",
          "en": r"Stored: (.*?)\. Not stored: (.*?)\."}
TIME_WORDS = re.compile(r"\b(tanggal|jam|waktu|hari|date|time|day|hour)\b", re.IGNORECASE)


def _stored_columns() -> set[str]:
    """What a response is: its columns (without the random key) and its answer rows."""
    return {c.name for c in Response.__table__.columns if c.name != "id"} | {"answer"}


def test_response_tables_hold_no_date_or_time():
    for table in (Response.__table__, Answer.__table__):
        kinds = {c.name: type(c.type) for c in table.columns}
        assert not [n for n, k in kinds.items()
                    if issubclass(k, sa.Date | sa.DateTime | sa.Time | sa.Interval)]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_report_privacy_text_names_exactly_the_stored_fields(lang):
    text = translate("unit.method", lang, k=5)
    match = re.search(STORED[lang], text)
    assert match, text
    stored, not_stored = match.groups()
    assert not TIME_WORDS.search(stored), f"claims a date or time is stored: {stored}"
    assert TIME_WORDS.search(not_stored)  # and says that none is
    stated = {column for word, column in TERMS[lang].items()
              if re.search(rf"\b{word}\b", stored, re.IGNORECASE)}
    assert stated == _stored_columns()
