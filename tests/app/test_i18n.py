"""The English catalogue is complete and the committed .mo matches the .po."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "survey_app" / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _catalogue():  # type: ignore[no-untyped-def]
    with open(TRANSLATIONS / "messages.po", "rb") as fh:
        return read_po(fh, locale="en")


def test_every_source_string_has_an_english_translation():
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    source = {msg[2] if isinstance(msg[2], str) else msg[2][0]
              for msg in extract_from_dir(str(ROOT / "survey_app"), method_map,
                                          keywords=KEYWORDS)}
    catalogue = _catalogue()
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue
                  if m.id and m.string and not m.fuzzy}
    assert source - translated == set()


def test_compiled_catalogue_matches_po():
    with open(TRANSLATIONS / "messages.mo", "rb") as fh:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(fh) if m.id}
    assert compiled == {_key(m.id): _key(m.string) for m in _catalogue() if m.id}


def _key(value):  # type: ignore[no-untyped-def]
    return tuple(value) if isinstance(value, list | tuple) else value
