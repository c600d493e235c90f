"""The organisation tree: import from CSV/Excel (all or nothing) and subtree queries."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

import sqlalchemy as sa

from ..extensions import db
from ..models import Unit

COLUMNS = ("code", "name", "parent_code", "headcount")


@dataclass(frozen=True)
class RowError:
    """A problem in one row of an import file (row 1 is the header). `kind` names the rule."""

    row: int
    kind: str  # missing_columns, empty_code, empty_name, duplicate_code, unknown_parent,
    #            bad_headcount, cycle, unreadable
    value: str = ""


class ImportRejected(ValueError):
    """The import file has errors; nothing was stored."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass(frozen=True)
class UnitRow:
    """One parsed row of an import file."""

    row: int
    code: str
    name: str
    parent_code: str
    headcount: int


def read_table(filename: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV or Excel file as (row number, column -> text)."""
    if PurePath(filename).suffix.lower() in (".xlsx", ".xlsm"):
        return _read_excel(data)
    return _read_csv(data)


def _read_csv(data: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected([RowError(0, "unreadable", "UTF-8")]) from exc
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    # newline="" lets csv see every line ending itself (a lone CR); a malformed file
    # (e.g. a NUL after a CR, found by tests/security/test_fuzz.py) is a row error, not a 500.
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportRejected([RowError(0, "unreadable", "CSV")]) from exc
    return _as_dicts(rows)


def _read_excel(data: bytes) -> list[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportRejected([RowError(0, "unreadable", "xlsx")]) from exc
    rows = [["" if v is None else _cell_text(v) for v in row]
            for row in sheet.iter_rows(values_only=True)]
    return _as_dicts(rows)


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_dicts(rows: list[list[str]]) -> list[tuple[int, dict[str, str]]]:
    if not rows:
        raise ImportRejected([RowError(1, "missing_columns", ", ".join(COLUMNS))])
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportRejected([RowError(1, "missing_columns", ", ".join(missing))])
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(c).strip() for c in row):
            continue
        cells = dict(zip(header, [str(c).strip() for c in row], strict=False))
        out.append((number, {c: cells.get(c, "") for c in COLUMNS}))
    return out


def parse_rows(rows: Iterable[tuple[int, dict[str, str]]]) -> tuple[list[UnitRow], list[RowError]]:
    """Check each row on its own: code, name, headcount, duplicates inside the file."""
    parsed: list[UnitRow] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for number, cells in rows:
        code, name = cells["code"], cells["name"]
        count = cells["headcount"] or "0"
        if not code:
            errors.append(RowError(number, "empty_code"))
            continue
        if code in seen:
            errors.append(RowError(number, "duplicate_code", code))
            continue
        seen.add(code)
        if not name:
            errors.append(RowError(number, "empty_name", code))
        if _too_long_or_nul(cells):  # the database would refuse it later with a 500
            errors.append(RowError(number, "unreadable", f"baris/row {number}: " + TOO_LONG))
            continue
        # ASCII digits, at most 9 (a PostgreSQL integer): "²".isdigit() is True but int() fails.
        if not (count.isascii() and count.isdigit() and len(count) <= 9):
            errors.append(RowError(number, "bad_headcount", count))
        else:
            parsed.append(UnitRow(number, code, name, cells["parent_code"], int(count)))
    return parsed, errors


TOO_LONG = ("kode/induk maks. 32 dan nama maks. 200 karakter, tanpa karakter NUL / code and "
            "parent max 32 and name max 200 characters, no NUL character")


def _too_long_or_nul(cells: dict[str, str]) -> bool:
    """Found by tests/security/test_fuzz.py: values the unit table cannot hold."""
    return (len(cells["code"]) > 32 or len(cells["parent_code"]) > 32
            or len(cells["name"]) > 200 or any("\x00" in v for v in cells.values()))


def check_tree(rows: list[UnitRow], existing: dict[str, str | None]) -> list[RowError]:
    """Unknown parents and cycles, over the stored tree updated with the file's rows."""
    parent_of = dict(existing)
    parent_of.update({r.code: r.parent_code or None for r in rows})
    errors = [RowError(r.row, "unknown_parent", r.parent_code)
              for r in rows if r.parent_code and r.parent_code not in parent_of]
    for r in rows:
        seen, node = {r.code}, parent_of.get(r.code)
        while node is not None and node in parent_of:
            if node in seen:
                errors.append(RowError(r.row, "cycle", r.code))
                break
            seen.add(node)
            node = parent_of[node]
    return sorted(errors, key=lambda e: e.row)


def import_units(filename: str, data: bytes) -> int:
    """Create or update units from a file; on any row error store nothing and raise."""
    parsed, errors = parse_rows(read_table(filename, data))
    stored = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    existing = {code: (u.parent.code if u.parent else None) for code, u in stored.items()}
    errors += check_tree(parsed, existing)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))
    for r in parsed:
        unit = stored.get(r.code) or Unit(code=r.code)
        unit.name, unit.headcount = r.name, r.headcount
        stored[r.code] = unit
        db.session.add(unit)
    db.session.flush()  # every unit of the file now has an id
    # Set the foreign key column, not the relationship: swapping a parent and its child (a
    # valid new tree) is a cycle for the ORM's unit of work, which then refuses to flush.
    for r in parsed:
        stored[r.code].parent_id = stored[r.parent_code].id if r.parent_code else None
    db.session.flush()
    for unit in stored.values():
        db.session.expire(unit, ["parent", "children"])
    return len(parsed)


def subtree_ids(root_id: int) -> set[int]:
    """Ids of a unit and all units below it."""
    children: dict[int | None, list[int]] = {}
    for uid, pid in db.session.execute(sa.select(Unit.id, Unit.parent_id)):
        children.setdefault(pid, []).append(uid)
    found, todo = set(), [root_id]
    while todo:
        uid = todo.pop()
        if uid not in found:
            found.add(uid)
            todo.extend(children.get(uid, []))
    return found


def units_in_tree_order(ids: set[int] | None = None) -> list[tuple[Unit, int]]:
    """Units depth-first by code with their depth; restricted to `ids` when given."""
    units = list(db.session.scalars(sa.select(Unit).order_by(Unit.code)))
    by_parent: dict[int | None, list[Unit]] = {}
    for u in units:
        by_parent.setdefault(u.parent_id, []).append(u)
    out: list[tuple[Unit, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for u in by_parent.get(parent, []):
            if ids is None or u.id in ids:
                out.append((u, depth))
            walk(u.id, depth + 1)

    walk(None, 0)
    return out
