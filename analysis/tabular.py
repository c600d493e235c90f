"""Analysts' tables for the command line: a header line and one row per respondent.

CSV text (UTF-8 with or without BOM, UTF-16 with BOM, cp1252 as a noted fallback) or the
first sheet of an .xlsx workbook (openpyxl, imported only for .xlsx); no Flask here.

A :class:`Table` keeps, for every data row, the line it came from (1-based, blank lines
counted), so a message can send the analyst to the right place. Blank rows are skipped; a
duplicate column name or a row with more or fewer cells than the header is refused.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.errors import AnalysisInputError

if TYPE_CHECKING:
    from openpyxl import Workbook

#: (line number, cells) of one record, header included.
Record = tuple[int, list[str]]


ZIP_MAGIC = b"PK\x03\x04"  # .xlsx (and .ods) are ZIP archives
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and encrypted workbooks


class TableInputError(AnalysisInputError):
    """The file cannot be read as a table; the message names the line (and column)."""


@dataclass(frozen=True)
class Table:
    """Header, data rows (column -> cell text) and the line number of each row."""

    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    lines: tuple[int, ...]
    notes: tuple[str, ...] = ()


def read_table(path: str) -> Table:
    """Read a CSV (UTF-8 with or without BOM, UTF-16 with BOM, else cp1252) or .xlsx file.

    The format is told by the content, not the name: a ZIP archive is read as an .xlsx
    workbook (its first sheet), anything else as CSV text.

    Raises
    ------
    TableInputError
        When the file cannot be read, is in another format, is empty, repeats a column name
        or has a ragged row.
    """
    data = _read_bytes(path)
    if data.startswith(ZIP_MAGIC):
        records, notes = xlsx_records(data, path)
    elif data.startswith(OLE2_MAGIC):
        raise TableInputError(
            f"{path} berformat Excel lama (.xls) atau terenkripsi; simpan sebagai .xlsx atau "
            f"CSV UTF-8 / is an old Excel (.xls) or encrypted workbook; save it as .xlsx or "
            f"CSV UTF-8")
    else:
        text, notes = decode_text(data, path)
        records = csv_records(text)
    return table_from_records(records, path, notes)


def _read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise TableInputError(f"berkas tidak dapat dibaca / cannot read file {path}: {exc}"
                              ) from exc


def decode_text(data: bytes, path: str) -> tuple[str, tuple[str, ...]]:
    """Text of a CSV file and the notes on how it was decoded.

    UTF-16 only with a BOM (Excel's "Unicode text"); then UTF-8 with or without BOM; a file
    that is not valid UTF-8 is read as cp1252, which Excel on Indonesian Windows writes for
    "CSV (comma delimited)", with a note.
    """
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16"), ()
        if b"\0" in data:
            raise TableInputError(
                f"{path} bukan berkas teks CSV (berisi byte NUL); simpan sebagai CSV UTF-8 atau "
                f".xlsx / is not a CSV text file (it contains NUL bytes); save it as CSV UTF-8 "
                f"or .xlsx")
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        pass
    return _decode_cp1252(data, path), (CP1252_NOTE.format(path=path),)


CP1252_NOTE = ("{path} bukan UTF-8; dibaca sebagai cp1252 (Excel di Windows); simpan sebagai "
               "'CSV UTF-8' agar huruf tidak salah baca / is not valid UTF-8; read as cp1252 "
               "(Excel on Windows); save it as 'CSV UTF-8' to be sure no letter is misread")


def _decode_cp1252(data: bytes, path: str) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        byte = data[exc.start]
        raise TableInputError(
            f"{path}: byte 0x{byte:02x} (posisi {exc.start}) bukan UTF-8 maupun cp1252; simpan "
            f"sebagai CSV UTF-8 / byte 0x{byte:02x} at position {exc.start} is neither UTF-8 "
            f"nor cp1252; save the file as CSV UTF-8") from None


def xlsx_records(data: bytes, path: str) -> tuple[list[Record], tuple[str, ...]]:
    """Non-blank rows of the first sheet of an .xlsx workbook (cached formula values).

    The line of a row is its sheet row number. Trailing empty cells are trimmed and short
    rows padded to the header, so only filled cells beyond the header make a row ragged.
    """
    sheets = _load_workbook(data, path).worksheets
    rows = [[_cell_text(v) for v in row]
            for row in sheets[0].iter_rows(min_row=1, min_col=1, values_only=True)]
    records = [(line, cells) for line, cells in enumerate(rows, start=1)
               if any(c.strip() for c in cells)]
    width = len(_trim(records[0][1])) if records else 0
    records = [(line, _pad(_trim(cells), width)) for line, cells in records]
    notes = () if len(sheets) == 1 else (
        f"{path}: hanya lembar pertama '{sheets[0].title}' yang dibaca (dari {len(sheets)}) / "
        f"only the first sheet '{sheets[0].title}' is read (of {len(sheets)})",)
    return records, notes


def _load_workbook(data: bytes, path: str) -> Workbook:
    import openpyxl  # lazily: only .xlsx input needs it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (data validation, styles);
            # the cell values, all this reads, are unaffected
            warnings.simplefilter("ignore", UserWarning)
            # from memory, so openpyxl does not refuse a workbook for its file name
            return openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableInputError(
            f"{path} bukan buku kerja .xlsx yang dapat dibaca (mis. .ods); simpan sebagai .xlsx "
            f"atau CSV UTF-8 / is not a readable .xlsx workbook (e.g. .ods); save it as .xlsx "
            f"or CSV UTF-8 ({type(exc).__name__}: {exc})") from None


def _cell_text(value: object) -> str:
    return "" if value is None else str(value)


def _trim(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _pad(cells: list[str], width: int) -> list[str]:
    return cells + [""] * (width - len(cells))


def csv_records(text: str) -> list[Record]:
    """Non-blank CSV records with the line each starts on; the separator is guessed."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(first))
    records, line = [], 1
    for cells in reader:
        if any(c.strip() for c in cells):
            records.append((line, cells))
        line = reader.line_num + 1
    return records


def delimiter(header: str) -> str:
    """',' by default; ';' or tab when the header uses them (Excel in Indonesian locale
    writes ';' because ',' is the decimal separator)."""
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: (counts[sep], sep == ","))


def table_from_records(records: Sequence[Record], path: str,
                       notes: Sequence[str] = ()) -> Table:
    """Check the header and the row widths, then key each row by column name."""
    if len(records) < 2:
        raise TableInputError(f"berkas kosong / empty file: {path} has no data rows")
    (head_line, head), body = records[0], records[1:]
    header = [h.strip() for h in head]
    _check_unique(header, head_line)
    for line, cells in body:
        _check_width(cells, len(header), line, head_line)
    rows = tuple(dict(zip(header, cells, strict=True)) for _, cells in body)
    return Table(tuple(header), rows, tuple(line for line, _ in body), tuple(notes))


def _check_unique(header: list[str], line: int) -> None:
    seen: dict[str, int] = {}
    for pos, name in enumerate(header, start=1):
        if name and name in seen:
            raise TableInputError(
                f"baris {line}: nama kolom '{name}' dipakai dua kali (kolom {seen[name]} dan "
                f"{pos}) / line {line}: column '{name}' appears twice (columns {seen[name]} "
                f"and {pos}); beri nama unik / give each column a unique name")
        seen.setdefault(name, pos)


def _check_width(cells: list[str], width: int, line: int, head_line: int) -> None:
    if len(cells) == width:
        return
    n = len(cells)
    raise TableInputError(
        f"baris {line}: {n} sel, padahal judul (baris {head_line}) punya {width} kolom / "
        f"line {line}: {n} cell{'s' * (n != 1)} but the header (line {head_line}) has "
        f"{width} columns; periksa pemisah dan tanda kutip (koma desimal di berkas berpemisah "
        f"','? pakai ';') / check separators and quotes (a decimal comma in a ','-separated "
        f"file? use ';')")
