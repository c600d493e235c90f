"""Analysts' tables for the command line: a header line and one row per respondent.

A :class:`Table` keeps, for every data row, the line it came from (1-based, blank lines
counted), so a message can send the analyst to the right place. Blank rows are skipped; a
duplicate column name or a row with more or fewer cells than the header is refused.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import AnalysisInputError

#: (line number, cells) of one record, header included.
Record = tuple[int, list[str]]


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
    """Read a CSV file (UTF-8) into a :class:`Table`.

    Raises
    ------
    TableInputError
        When the file cannot be read, is empty, repeats a column name or has a ragged row.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TableInputError(f"berkas tidak dapat dibaca / cannot read file {path}: {exc}"
                              ) from exc
    return table_from_records(csv_records(text), path)


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
