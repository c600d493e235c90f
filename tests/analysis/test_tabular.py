"""analysis.tabular: line numbers, blank rows, and the width rules for CSV and .xlsx."""

import pytest
from openpyxl import Workbook

from analysis.tabular import TableInputError, csv_records, read_table, table_from_records


def test_quoted_newline_keeps_the_line_a_record_starts_on():
    records = csv_records('a,b\n1,"two\nlines"\n\n3,4\n')
    assert [line for line, _ in records] == [1, 2, 5]


def test_blank_and_separator_only_rows_are_skipped():
    table = table_from_records(csv_records("a;b\n1;2\n;\n \n3;4\n"), "f.csv")
    assert table.lines == (2, 5) and table.rows[1] == {"a": "3", "b": "4"}


def test_empty_header_names_may_repeat():
    table = table_from_records(csv_records("a,,\n1,,\n"), "f.csv")
    assert table.columns == ("a", "", "")


def xlsx(tmp_path, rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    f = tmp_path / "t.xlsx"
    wb.save(f)
    return str(f)


def test_xlsx_lines_are_sheet_rows_and_short_rows_are_padded(tmp_path):
    table = read_table(xlsx(tmp_path, [("a", "b", "c"), (1, None, None), (), (2.5, "x", 3)]))
    assert table.lines == (2, 4)
    assert table.rows == ({"a": "1", "b": "", "c": ""}, {"a": "2.5", "b": "x", "c": "3"})
    assert table.notes == ()


def test_xlsx_cell_beyond_the_header_is_ragged(tmp_path):
    with pytest.raises(TableInputError, match="line 3: 3 cells but the header"):
        read_table(xlsx(tmp_path, [("a", "b"), (1, 2), (1, 2, 9)]))
