"""A small id/en catalogue of the fixed texts in reports (reports has no Flask-Babel)."""

from __future__ import annotations

from collections.abc import Mapping

from instruments.model import LANGUAGES
from reports.errors import UnsupportedLanguageError

# key -> {"id": ..., "en": ...}; str.format placeholders are filled by `translate`.
MESSAGES: dict[str, dict[str, str]] = {}


def register(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Add texts to the catalogue; every text must exist in every language."""
    for key, texts in messages.items():
        missing = [lang for lang in LANGUAGES if lang not in texts]
        if missing:
            raise ValueError(f"text {key!r} lacks a translation for {missing}")
        MESSAGES[key] = dict(texts)


def check_lang(lang: str) -> str:
    """Return `lang` if reports can be written in it, else raise with the choices."""
    if lang not in LANGUAGES:
        raise UnsupportedLanguageError(
            f"Bahasa laporan {lang!r} tidak didukung; pilih salah satu dari {list(LANGUAGES)}. / "
            f"Report language {lang!r} is not supported; choose one of {list(LANGUAGES)}."
        )
    return lang


def translate(key: str, lang: str, /, **values: object) -> str:
    """The text `key` in `lang`, with `values` filled in; unknown keys raise KeyError."""
    lang = check_lang(lang)
    text = MESSAGES[key][lang]
    return text.format(**values) if values else text
