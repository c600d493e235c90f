"""Read one instrument file (TOML, format 1) into frozen dataclasses, refusing a bad file."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import InstrumentError
from .fields import Reader, place
from .model import (
    Action,
    Dimension,
    Direction,
    Instrument,
    Item,
    Option,
    Question,
    Referent,
    Scale,
    Text,
)

FORMAT = 1
"""The file format version this loader reads (the `format` field of every file)."""

KINDS = ("culture", "skm")
ACTION_KINDS = ("training", "elearning", "coaching", "other")
MIN_POINTS, MAX_POINTS = 2, 11
SKM_CODES = tuple(f"U{n}" for n in range(1, 10))  # the 9 unsur of Permenpan RB 14/2017, in order
SKM_POINTS = 4

ID_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
VERSION_RE = re.compile(r"(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})")
# Upper case, digits and single hyphens: a code maps one-to-one to an SPSS-safe name (- → _).
CODE_RE = re.compile(r"[A-Z][A-Z0-9]{0,15}(-[A-Z0-9]{1,16}){0,3}")

TOP = {
    "format": ("int", True), "id": ("str", True), "version": ("str", True),
    "kind": ("str", True), "title": ("text", True), "intro": ("text", True),
    "citation": ("str", True), "licence": ("text", True), "scales": ("tables", True),
    "dimensions": ("tables", True), "items": ("tables", True), "respondent": ("tables", False),
}
SCALE = {
    "code": ("str", True), "name": ("text", True), "points": ("int", True),
    "labels": ("labels", True), "referent": ("str", True), "direction": ("str", True),
    "reversible": ("bool", False),
}
DIMENSION = {
    "code": ("str", True), "scale": ("str", True), "name": ("text", True),
    "description": ("text", True), "actions": ("tables", True),
}
ACTION = {"kind": ("str", True), "text": ("text", True)}
ITEM = {
    "code": ("str", True), "dimension": ("str", True), "reverse": ("bool", False),
    "text": ("text", True), "labels": ("labels", False),
}
QUESTION = {"code": ("str", True), "text": ("text", True), "choices": ("labels", True)}


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a version string: "1.10" comes after "1.9"."""
    return tuple(int(part) for part in version.split("."))


def load_instrument_file(path: str | Path) -> Instrument:
    """Load and validate one instrument file; InstrumentError names the file and the problem."""
    file = Path(path)
    try:
        stat = file.stat()
    except OSError as error:
        raise InstrumentError(str(file), None, Text(
            f"berkas tidak dapat dibaca ({error.strerror})",
            f"cannot read the file ({error.strerror})")) from error
    # Cached per (path, modification time, size): an edited file is read again.
    return _load_cached(str(file), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _load_cached(file: str, _mtime_ns: int, _size: int) -> Instrument:
    return parse_instrument(_read_toml(file), file, Path(file).name)


def _read_toml(file: str) -> dict[str, Any]:
    reader = Reader(file)
    try:
        text = Path(file).read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        reader.fail(None, "berkas harus berupa teks UTF-8", "the file must be UTF-8 text")
    except OSError as error:
        reader.fail(None, f"berkas tidak dapat dibaca ({error.strerror})",
                    f"cannot read the file ({error.strerror})")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        reader.fail(None, f"bukan TOML yang sah: {error}", f"not valid TOML: {error}")


def parse_instrument(data: dict[str, Any], file: str, file_name: str | None = None) -> Instrument:
    """Validate parsed TOML `data` and build the Instrument; `file_name` is checked if given."""
    reader = Reader(file)
    top = reader.table(data, None, TOP)
    _check_header(reader, top, file_name)
    scales = [_scale_fields(reader, raw, n) for n, raw in enumerate(top["scales"], start=1)]
    dims = [_dimension_fields(reader, raw, n) for n, raw in enumerate(top["dimensions"], start=1)]
    items = [_item_fields(reader, raw, n) for n, raw in enumerate(top["items"], start=1)]
    questions = [_question_fields(reader, raw, n)
                 for n, raw in enumerate(top.get("respondent", []), start=1)]
    _check_structure(reader, top["kind"], scales, dims, items, questions)
    return _build(top, scales, dims, items, questions, file)


def _check_header(reader: Reader, top: dict[str, Any], file_name: str | None) -> None:
    if top["format"] != FORMAT:
        reader.fail(None,
                    f"format {top['format']} tidak didukung; Lentera ini membaca format {FORMAT}",
                    f"unsupported format {top['format']}; this Lentera reads format {FORMAT}")
    if not ID_RE.fullmatch(top["id"]):
        reader.fail(None,
                    f"id '{top['id']}' tidak sah: huruf kecil, angka dan _, diawali huruf",
                    f"invalid id '{top['id']}': lower-case letters, digits and _, "
                    "starting with a letter")
    if not VERSION_RE.fullmatch(top["version"]):
        reader.fail(None, f"versi '{top['version']}' tidak sah: tulis MAYOR.MINOR, mis. \"1.0\"",
                    f"invalid version '{top['version']}': write MAJOR.MINOR, e.g. \"1.0\"")
    expected = f"{top['id']}-{top['version']}.toml"
    if file_name is not None and file_name != expected:
        reader.fail(None, f"nama berkas harus '{expected}' (id-versi.toml), bukan '{file_name}'",
                    f"the file name must be '{expected}' (id-version.toml), not '{file_name}'")
    if top["kind"] not in KINDS:
        reader.fail(None, f"kind '{top['kind']}' tidak dikenal (pilihan: {', '.join(KINDS)})",
                    f"unknown kind '{top['kind']}' (choose one of: {', '.join(KINDS)})")


def _code(reader: Reader, fields: dict[str, Any], where: Text) -> None:
    if not CODE_RE.fullmatch(fields["code"]):
        reader.fail(where, "kode tidak sah: huruf besar dan angka, bagian dipisah satu '-', "
                    "diawali huruf (mis. RC-RS1)",
                    "invalid code: upper-case letters and digits, parts joined by single '-', "
                    "starting with a letter (e.g. RC-RS1)")


def _choice(reader: Reader, where: Text, field: str, value: str, allowed: Iterable[str]) -> None:
    allowed = tuple(allowed)
    if value not in allowed:
        reader.fail(where, f"'{field}' = '{value}' tidak dikenal (pilihan: {', '.join(allowed)})",
                    f"unknown {field} '{value}' (choose one of: {', '.join(allowed)})")


def _scale_fields(reader: Reader, raw: Any, number: int) -> dict[str, Any]:
    where = place("scale", raw.get("code") if isinstance(raw, dict) else None, number)
    fields = reader.table(raw, where, SCALE)
    _code(reader, fields, where)
    _choice(reader, where, "referent", fields["referent"], (r.value for r in Referent))
    _choice(reader, where, "direction", fields["direction"], (d.value for d in Direction))
    if not MIN_POINTS <= fields["points"] <= MAX_POINTS:
        reader.fail(where, f"points = {fields['points']} di luar {MIN_POINTS}..{MAX_POINTS}",
                    f"points = {fields['points']} is outside {MIN_POINTS}..{MAX_POINTS}")
    _labels_match(reader, where, "labels", fields["labels"], fields["points"])
    fields.setdefault("reversible", True)
    fields["where"] = where
    return fields


def _labels_match(reader: Reader, where: Text, field: str, labels: tuple[Text, ...],
                  points: int) -> None:
    if len(labels) != points:
        reader.fail(where, f"'{field}' berisi {len(labels)} label, padahal points = {points} "
                    "(satu label per pilihan jawaban)",
                    f"'{field}' has {len(labels)} labels but points = {points} "
                    "(one label per response option)")


def _dimension_fields(reader: Reader, raw: Any, number: int) -> dict[str, Any]:
    where = place("dimension", raw.get("code") if isinstance(raw, dict) else None, number)
    fields = reader.table(raw, where, DIMENSION)
    _code(reader, fields, where)
    if not fields["actions"]:
        reader.fail(where, "tidak ada tindakan pengembangan ([[dimensions.actions]]); "
                    "laporan membutuhkan paling sedikit satu",
                    "no development actions ([[dimensions.actions]]); "
                    "reports need at least one")
    actions = []
    for n, raw_action in enumerate(fields["actions"], start=1):
        at = Text(f"{where.id}, tindakan ke-{n}", f"{where.en}, action #{n}")
        action = reader.table(raw_action, at, ACTION)
        _choice(reader, at, "kind", action["kind"], ACTION_KINDS)
        actions.append(Action(kind=action["kind"], text=action["text"]))
    fields["actions"] = tuple(actions)
    fields["where"] = where
    return fields


def _item_fields(reader: Reader, raw: Any, number: int) -> dict[str, Any]:
    where = place("item", raw.get("code") if isinstance(raw, dict) else None, number)
    fields = reader.table(raw, where, ITEM)
    _code(reader, fields, where)
    fields.setdefault("reverse", False)
    fields["where"] = where
    return fields


def _question_fields(reader: Reader, raw: Any, number: int) -> dict[str, Any]:
    where = place("respondent", raw.get("code") if isinstance(raw, dict) else None, number)
    fields = reader.table(raw, where, QUESTION)
    _code(reader, fields, where)
    if len(fields["choices"]) < 2:
        reader.fail(where, "'choices' harus berisi paling sedikit 2 pilihan",
                    "'choices' needs at least 2 choices")
    fields["where"] = where
    return fields


def _unique(reader: Reader, tables: list[dict[str, Any]], what_id: str, what_en: str) -> None:
    seen: dict[str, Text] = {}
    for fields in tables:
        code = fields["code"]
        if code in seen:
            reader.fail(fields["where"], f"kode ganda: '{code}' sudah dipakai oleh {what_id} lain",
                        f"duplicate code: '{code}' is already used by another {what_en}")
        seen[code] = fields["where"]


def _check_structure(reader: Reader, kind: str, scales: list[dict[str, Any]],
                     dims: list[dict[str, Any]], items: list[dict[str, Any]],
                     questions: list[dict[str, Any]]) -> None:
    _unique(reader, scales, "skala", "scale")
    _unique(reader, dims, "dimensi", "dimension")
    # Items and respondent questions share one namespace: a response stores answers by code.
    _unique(reader, items + questions, "butir/pertanyaan", "item or question")
    _check_links(reader, scales, dims, items)
    _check_texts(reader, items)
    if kind == "skm":
        _check_skm(reader, scales, dims, items)
    elif questions:
        reader.fail(questions[0]["where"],
                    "pertanyaan responden hanya untuk instrumen SKM; potongan demografis survei "
                    "ASN ditetapkan per gelombang (anonymity.md aturan 5)",
                    "respondent questions belong to SKM instruments only; demographic cuts of "
                    "an ASN survey are declared per wave (anonymity.md rule 5)")


def _check_links(reader: Reader, scales: list[dict[str, Any]], dims: list[dict[str, Any]],
                 items: list[dict[str, Any]]) -> None:
    """Each dimension in a known scale, each item in a known dimension, nothing left empty."""
    if not scales:
        reader.fail(None, "tidak ada skala ([[scales]])", "no scales ([[scales]])")
    scale_by_code = {s["code"]: s for s in scales}
    dim_by_code = {d["code"]: d for d in dims}
    for dim in dims:
        if dim["scale"] not in scale_by_code:
            reader.fail(dim["where"], f"skala '{dim['scale']}' tidak ada di berkas ini",
                        f"scale '{dim['scale']}' is not defined in this file")
    for item in items:
        if item["dimension"] not in dim_by_code:
            reader.fail(item["where"],
                        f"dimensi '{item['dimension']}' tidak ada di berkas ini; "
                        "setiap butir harus masuk satu dimensi",
                        f"dimension '{item['dimension']}' is not defined in this file; "
                        "every item must belong to a dimension")
        scale = scale_by_code[dim_by_code[item["dimension"]]["scale"]]
        _check_item_against_scale(reader, item, scale)
    for scale in scales:
        if not any(d["scale"] == scale["code"] for d in dims):
            reader.fail(scale["where"], "skala tanpa dimensi", "the scale has no dimensions")
    for dim in dims:
        if not any(i["dimension"] == dim["code"] for i in items):
            reader.fail(dim["where"], "dimensi tanpa butir", "the dimension has no items")


def _check_item_against_scale(reader: Reader, item: dict[str, Any],
                              scale: dict[str, Any]) -> None:
    if item["reverse"] and not scale["reversible"]:
        reader.fail(item["where"],
                    f"reverse = true tidak berlaku: skala '{scale['code']}' menyatakan "
                    "reversible = false",
                    f"reverse = true cannot apply: scale '{scale['code']}' declares "
                    "reversible = false")
    if "labels" in item:
        _labels_match(reader, item["where"], "labels", item["labels"], scale["points"])


def _check_texts(reader: Reader, items: list[dict[str, Any]]) -> None:
    """The same wording twice is a copy-and-paste slip: each item must ask something else."""
    seen: dict[str, str] = {}
    for item in items:
        for lang in ("id", "en"):
            key = f"{lang}:{item['text'].get(lang).casefold()}"
            if key in seen:
                reader.fail(item["where"],
                            f"teks '{lang}' sama dengan butir '{seen[key]}'",
                            f"its '{lang}' text repeats item '{seen[key]}'")
            seen[key] = item["code"]


def _check_skm(reader: Reader, scales: list[dict[str, Any]], dims: list[dict[str, Any]],
               items: list[dict[str, Any]]) -> None:
    """SKM follows Permenpan RB 14/2017: unsur U1..U9 in order, answered 1-4, never reversed."""
    for scale in scales:
        if scale["points"] != SKM_POINTS:
            reader.fail(scale["where"], f"SKM dijawab 1-{SKM_POINTS}: points harus {SKM_POINTS}",
                        f"SKM is answered 1-{SKM_POINTS}: points must be {SKM_POINTS}")
    for item in items:
        if item["reverse"]:
            reader.fail(item["where"],
                        "reverse = true tidak berlaku: unsur SKM selalu dinilai 1 (terburuk) "
                        "sampai 4 (terbaik)",
                        "reverse = true cannot apply: an SKM unsur is always scored 1 (worst) "
                        "to 4 (best)")
    # The order the Instrument lists its items in (scale, then dimension, then file order).
    codes = tuple(i["code"] for s in scales for d in dims if d["scale"] == s["code"]
                  for i in items if i["dimension"] == d["code"])
    if codes != SKM_CODES:
        reader.fail(None, f"butir SKM harus tepat {', '.join(SKM_CODES)} berurutan "
                    f"(9 unsur Permenpan RB 14/2017), bukan {', '.join(codes)}",
                    f"SKM items must be exactly {', '.join(SKM_CODES)} in order "
                    f"(the 9 unsur of Permenpan RB 14/2017), not {', '.join(codes)}")


def _options(labels: tuple[Text, ...]) -> tuple[Option, ...]:
    return tuple(Option(value=n, label=label) for n, label in enumerate(labels, start=1))


def _build(top: dict[str, Any], scales: list[dict[str, Any]], dims: list[dict[str, Any]],
           items: list[dict[str, Any]], questions: list[dict[str, Any]], file: str) -> Instrument:
    """Assemble the frozen dataclasses, keeping the file's order within each level."""
    def build_item(i: dict[str, Any]) -> Item:
        return Item(code=i["code"], dimension=i["dimension"], reverse=i["reverse"],
                    text=i["text"], options=_options(i.get("labels", ())))

    def build_dim(d: dict[str, Any]) -> Dimension:
        return Dimension(code=d["code"], name=d["name"], description=d["description"],
                         actions=d["actions"],
                         items=tuple(build_item(i) for i in items if i["dimension"] == d["code"]))

    def build_scale(s: dict[str, Any]) -> Scale:
        return Scale(code=s["code"], name=s["name"], points=s["points"],
                     options=_options(s["labels"]), referent=Referent(s["referent"]),
                     direction=Direction(s["direction"]),
                     dimensions=tuple(build_dim(d) for d in dims if d["scale"] == s["code"]),
                     reversible=s["reversible"])

    return Instrument(
        id=top["id"], version=top["version"], kind=top["kind"], title=top["title"],
        intro=top["intro"], citation=top["citation"], licence=top["licence"],
        scales=tuple(build_scale(s) for s in scales),
        respondent_questions=tuple(
            Question(code=q["code"], text=q["text"], choices=_options(q["choices"]))
            for q in questions),
        source=file,
    )
