"""Field-level checks of a TOML table: unknown, missing and wrongly typed fields, translations."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from .errors import InstrumentError
from .model import LANGUAGES, Text

# A field spec: field name -> (kind, required). Kinds are the keys of _TYPE_NAMES.
Spec = Mapping[str, tuple[str, bool]]

_TYPE_NAMES = {
    "str": ("teks (dalam tanda kutip)", "a text (in quotes)"),
    "int": ("bilangan bulat", "a whole number"),
    "bool": ("true atau false", "true or false"),
    "text": ("tabel berisi teks 'id' dan 'en'", "a table with texts 'id' and 'en'"),
    "labels": ("tabel berisi daftar 'id' dan 'en'", "a table with lists 'id' and 'en'"),
    "tables": ("daftar tabel ([[...]])", "a list of tables ([[...]])"),
}


def _found(value: Any) -> tuple[str, str]:
    """How a TOML value's type is called in each language (for 'must be X, not Y')."""
    if isinstance(value, bool):
        return "true/false", "true/false"
    if isinstance(value, int):
        return "bilangan bulat", "a whole number"
    if isinstance(value, float):
        return "bilangan desimal", "a decimal number"
    if isinstance(value, str):
        return "teks", "a text"
    if isinstance(value, list):
        return "daftar", "a list"
    if isinstance(value, dict):
        return "tabel", "a table"
    return "tanggal/waktu", "a date/time"


def place(kind: str, code: Any, number: int) -> Text:
    """Name a table of the file: by its code when it has a usable one, else by position."""
    names = {
        "scale": ("skala", "scale"),
        "dimension": ("dimensi", "dimension"),
        "item": ("butir", "item"),
        "respondent": ("pertanyaan responden", "respondent question"),
    }
    name_id, name_en = names[kind]
    if isinstance(code, str) and code.strip():
        return Text(f"{name_id} '{code}'", f"{name_en} '{code}'")
    return Text(f"{name_id} ke-{number}", f"{name_en} #{number}")


@dataclass(frozen=True)
class Reader:
    """Checks the tables of one file; every failure raises InstrumentError naming that file."""

    file: str

    def fail(self, where: Text | None, problem_id: str, problem_en: str) -> NoReturn:
        """Refuse the file with a message in both languages."""
        raise InstrumentError(self.file, where, Text(problem_id, problem_en))

    def table(self, raw: Any, where: Text | None, spec: Spec, prefix: str = "") -> dict[str, Any]:
        """Check a table against `spec` and return its fields converted (Text, tuples)."""
        if not isinstance(raw, dict):
            found_id, found_en = _found(raw)
            self.fail(where, f"harus berupa tabel, bukan {found_id}",
                      f"must be a table, not {found_en}")
        self._unknown(raw, where, spec, prefix)
        for name, (_, required) in spec.items():
            if required and name not in raw:
                self.fail(where, f"isian wajib '{prefix}{name}' tidak ada",
                          f"missing required field '{prefix}{name}'")
        return {name: self._value(raw[name], where, kind, prefix + name)
                for name, (kind, _) in spec.items() if name in raw}

    def _unknown(self, raw: dict[str, Any], where: Text | None, spec: Spec, prefix: str) -> None:
        for name in raw:
            if name in spec:
                continue
            close = difflib.get_close_matches(name, list(spec), n=1)
            if close:
                hint_id, hint_en = f"maksudnya '{close[0]}'?", f"did you mean '{close[0]}'?"
            else:
                allowed = ", ".join(spec)
                hint_id, hint_en = f"yang dikenal: {allowed}", f"known fields: {allowed}"
            self.fail(where, f"isian tidak dikenal '{prefix}{name}' ({hint_id})",
                      f"unknown field '{prefix}{name}' ({hint_en})")

    def _value(self, value: Any, where: Text | None, kind: str, field: str) -> Any:
        """Check one field's type and convert it."""
        if kind == "text":
            return self.text(value, where, field)
        if kind == "labels":
            return self.labels(value, where, field)
        ok = {
            "str": isinstance(value, str),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
            "tables": isinstance(value, list) and all(isinstance(v, dict) for v in value),
        }[kind]
        if not ok:
            self._wrong_type(value, where, kind, field)
        if kind == "str":
            return self._nonempty(value, where, field)
        return value

    def _wrong_type(self, value: Any, where: Text | None, kind: str, field: str) -> NoReturn:
        want_id, want_en = _TYPE_NAMES[kind]
        found_id, found_en = _found(value)
        self.fail(where, f"isian '{field}' harus berupa {want_id}, bukan {found_id}",
                  f"field '{field}' must be {want_en}, not {found_en}")

    def _nonempty(self, value: str, where: Text | None, field: str) -> str:
        text = value.strip()
        if not text:
            self.fail(where, f"isian '{field}' kosong", f"field '{field}' is empty")
        return text

    def _languages(self, raw: Any, where: Text | None, kind: str, field: str) -> dict[str, Any]:
        """The per-language values of a text or labels table, each language present."""
        if not isinstance(raw, dict):
            self._wrong_type(raw, where, kind, field)
        for lang in raw:
            if lang not in LANGUAGES:
                self.fail(where,
                          f"isian tidak dikenal '{field}.{lang}' (bahasa: {', '.join(LANGUAGES)})",
                          f"unknown field '{field}.{lang}' (languages: {', '.join(LANGUAGES)})")
        for lang in LANGUAGES:
            if lang not in raw:
                self.fail(where, f"terjemahan kurang: isian '{field}.{lang}' tidak ada",
                          f"missing translation: field '{field}.{lang}' is absent")
        return raw

    def text(self, raw: Any, where: Text | None, field: str) -> Text:
        """A text in every language, each non-empty."""
        langs = self._languages(raw, where, "text", field)
        for lang in LANGUAGES:
            if not isinstance(langs[lang], str):
                self._wrong_type(langs[lang], where, "str", f"{field}.{lang}")
        return Text(**{lang: self._nonempty(langs[lang], where, f"{field}.{lang}")
                       for lang in LANGUAGES})

    def labels(self, raw: Any, where: Text | None, field: str) -> tuple[Text, ...]:
        """Parallel label lists, one per language, of equal length and without repeats."""
        langs = self._languages(raw, where, "labels", field)
        lists = {lang: self._label_list(langs[lang], where, f"{field}.{lang}")
                 for lang in LANGUAGES}
        lengths = {len(v) for v in lists.values()}
        if len(lengths) > 1:
            counts = ", ".join(f"{lang} {len(lists[lang])}" for lang in LANGUAGES)
            self.fail(where, f"jumlah label di '{field}' berbeda antarbahasa ({counts})",
                      f"the languages of '{field}' have different numbers of labels ({counts})")
        return tuple(Text(*pair) for pair in zip(*(lists[lang] for lang in LANGUAGES),
                                                   strict=True))

    def _label_list(self, raw: Any, where: Text | None, field: str) -> list[str]:
        if not isinstance(raw, list):
            self.fail(where, f"isian '{field}' harus berupa daftar teks, bukan {_found(raw)[0]}",
                      f"field '{field}' must be a list of texts, not {_found(raw)[1]}")
        labels = []
        for number, label in enumerate(raw, start=1):
            if not isinstance(label, str):
                self._wrong_type(label, where, "str", f"{field}[{number}]")
            labels.append(self._nonempty(label, where, f"{field}[{number}]"))
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        if repeated:
            self.fail(where, f"label '{repeated[0]}' muncul dua kali di '{field}'",
                      f"label '{repeated[0]}' appears twice in '{field}'")
        return labels
