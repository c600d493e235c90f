"""A plain table (typed columns with labels) written as CSV, Excel .xlsx or SPSS .sav.

The three writers get the same table, so the formats cannot disagree on a figure or on which
cells are empty. Text columns with `codes` become numeric variables with value labels in
SPSS (the SPSS way); CSV and Excel keep the text.
"""

from __future__ import annotations

import csv
import io
import math
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMATS = ("csv", "xlsx", "sav")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
}
#: A text cell starting with one of these is a formula to Excel and LibreOffice (CSV
#: injection, OWASP); such cells get a leading single quote so they are read as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: SPSS variable labels hold at most 256 bytes; longer item texts are cut.
SPSS_LABEL_BYTES = 256

Cell = str | int | float | None


@dataclass(frozen=True)
class Column:
    """One variable: name (a valid SPSS name), label, kind ("text", "int" or "float").

    value_labels: labels of the numeric values (int columns, or coded text columns in SPSS).
    codes: for a text column, the number each text value gets in SPSS.
    measure: SPSS measurement level ("nominal", "ordinal", "scale"), or "" for the default.
    """

    name: str
    label: str
    kind: str
    value_labels: Mapping[int, str] | None = None
    codes: Mapping[str, int] | None = None
    measure: str = ""


@dataclass(frozen=True)
class Table:
    """Columns and rows (one tuple per row, None = empty cell)."""

    columns: tuple[Column, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)


def write_table(table: Table, fmt: str) -> bytes:
    """The table in `fmt` (csv, xlsx or sav)."""
    writers = {"csv": to_csv, "xlsx": to_xlsx, "sav": to_sav}
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}; use csv, xlsx or sav")
    return writers[fmt](table)


def _text_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def _csv_cell(value: Cell) -> str:
    """One CSV cell: text neutralised; numbers written as numbers (repr: unrounded)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _text_cell(value)
    return repr(value)


def csv_text(rows: Iterable[Sequence[Cell]]) -> str:
    """Rows as CSV text (CRLF line ends), formula-safe.

    Every CSV file the app writes goes through here (exports, the codes download, the demo's
    codes file), so that no text cell — a unit or wave name typed by anyone with HR access —
    can become a spreadsheet formula. Only strings are neutralised: a number such as -0.5
    stays a number.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return out.getvalue()


def to_csv(table: Table) -> bytes:
    """Comma-separated UTF-8 with a BOM (so Excel reads the encoding); floats unrounded."""
    header = tuple(c.name for c in table.columns)
    return csv_text([header, *table.rows]).encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    """One sheet: bold frozen header of variable names, numbers stored as numbers, a second
    sheet with the variable labels.

    Written in openpyxl's write-only mode, so time and memory grow linearly with the rows.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str, header: Sequence[str]) -> Any:
        out = book.create_sheet(title)
        out.freeze_panes = "A2"
        out.append([_xlsx_cell(out, name, bold) for name in header])
        return out

    data = sheet("data", [c.name for c in table.columns])
    for row in table.rows:
        data.append([_xlsx_cell(data, v) if isinstance(v, str)
                     else None if isinstance(v, float) and math.isnan(v) else v for v in row])
    labels = sheet("variables", ["variable", "label"])
    for column in table.columns:
        labels.append([_xlsx_cell(labels, column.name), _xlsx_cell(labels, column.label)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet: Any, text: str, font: Any = None) -> Any:
    """A text cell that stays text, whatever it starts with (never a formula)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def _spss_label(text: str) -> str:
    data = text.encode("utf-8")[:SPSS_LABEL_BYTES]
    return data.decode("utf-8", errors="ignore")


def to_sav(table: Table) -> bytes:
    """SPSS .sav (pyreadstat): variable labels, value labels, coded text as numbers."""
    import pandas as pd
    import pyreadstat

    frame: dict[str, list[Cell]] = {}
    value_labels: dict[str, dict[int | float, str]] = {}
    measures: dict[str, str] = {}
    for j, column in enumerate(table.columns):
        cells = [row[j] for row in table.rows]
        if column.kind == "text" and column.codes is None:
            frame[column.name] = ["" if v is None else str(v) for v in cells]
        else:
            if column.codes is not None:
                cells = [None if v is None else column.codes[str(v)] for v in cells]
            frame[column.name] = [math.nan if v is None else float(v) for v in cells]
        if column.value_labels:
            value_labels[column.name] = {float(k): _spss_label(v)
                                         for k, v in column.value_labels.items()}
        if column.measure:
            measures[column.name] = column.measure
    df = pd.DataFrame(frame, columns=[c.name for c in table.columns])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.sav"
        pyreadstat.write_sav(df, str(path),
                             column_labels=[_spss_label(c.label) for c in table.columns],
                             variable_value_labels=value_labels, variable_measure=measures)
        return path.read_bytes()


def spss_name(text: str, taken: Sequence[str] = ()) -> str:
    """A valid, unique SPSS variable name from `text` (letters, digits, underscore)."""
    name = "".join(ch if ch.isascii() and (ch.isalnum() or ch == "_") else "_" for ch in text)
    if not name or not name[0].isalpha():
        name = "v" + name
    name = name[:60]
    base, n = name, 1
    while name.lower() in {t.lower() for t in taken}:
        n += 1
        name = f"{base}_{n}"
    return name
