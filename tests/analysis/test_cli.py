"""The analysts' command line: JSON keys, values against R, and exit code 2 on bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import main
from tests.analysis.conftest import CLOSED, DATA, OPTIM

ROOT = Path(__file__).resolve().parents[2]


def run_json(capsys, *argv):
    code = main([*argv, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_reliability_json(capsys, expected):
    items = ",".join(f"q{i}" for i in range(1, 7))
    got = run_json(capsys, "reliability", str(DATA / "b_missing.csv"), "--items", items,
                   "--points", "5", "--missing", "pairwise")
    assert set(got) >= {"n", "k", "alpha", "alpha_std", "alpha_ci", "omega_total", "items",
                        "warnings"}
    e = expected["b_missing.csv"]
    assert got["alpha"] == pytest.approx(e["alpha_raw_pairwise"], abs=CLOSED)
    assert got["alpha_ci"] == pytest.approx(list(e["alpha_ci95_feldt_pairwise"].values()),
                                            abs=CLOSED)
    assert got["omega_total"] == pytest.approx(e["omega_total_psych_omega_minres_pairwise"],
                                               abs=OPTIM)
    assert set(got["items"]["q1"]) == {"r_drop", "alpha_if_deleted"}
    assert got["items"]["q4"]["r_drop"] == pytest.approx(e["r_drop_pairwise"]["q4"], abs=CLOSED)


def test_reliability_reverse_on_unreversed_file(capsys, expected):
    items = ",".join(f"q{i}" for i in range(1, 9))
    got = run_json(capsys, "reliability", str(DATA / "a_single_factor_unreversed.csv"),
                   "--items", items, "--reverse", "q3,q6", "--points", "5")
    assert got["alpha"] == pytest.approx(expected["a_single_factor.csv"]["alpha_raw"], abs=CLOSED)


def test_reliability_zero_variance_warns(capsys):
    got = run_json(capsys, "reliability", str(DATA / "e1_zero_variance.csv"), "--items",
                   "q1,q2,q3,q4,q5", "--points", "5")
    assert got["k"] == 4 and got["items"]["q5"]["r_drop"] is None
    assert "zero_variance_items_dropped" in got["warnings"]


def test_agreement_json(capsys, expected):
    got = run_json(capsys, "agreement", str(DATA / "c_units.csv"), "--group", "unit",
                   "--items", "q1,q2,q3,q4,q5,q6", "--points", "5")
    e = expected["c_units.csv"]
    assert got["icc1"] == pytest.approx(e["ICC1_multilevel"], abs=CLOSED)
    assert got["icc2"] == pytest.approx(e["ICC2_multilevel"], abs=CLOSED)
    assert got["mean_rwg_j"] == pytest.approx(e["rwg_j_mean"], abs=CLOSED)
    assert got["groups"]["U01"]["n"] == 5
    assert got["groups"]["U01"]["rwg_j"] == pytest.approx(e["rwg_j_by_unit"]["U01"], abs=CLOSED)


def test_compare_json(capsys, expected):
    got = run_json(capsys, "compare", str(DATA / "e4_welch_constant_group.csv"), "--group",
                   "group", "--value", "score", "--a", "A", "--b", "B")
    assert set(got) >= {"mean_a", "mean_b", "t", "df", "p", "ci", "hedges_g", "g_ci"}
    e = expected["e4_welch_constant_group.csv"]["welch_A_constant_vs_B"]
    assert (got["t"], got["df"], got["p"]) == pytest.approx((e["t"], e["df"], e["p"]), abs=CLOSED)


def test_skm_json(capsys, tmp_path):
    f = tmp_path / "skm.csv"
    f.write_text("U1,U2,U3,U4,U5,U6,U7,U8,U9\n" + "4,4,4,4,4,4,4,4,4\n" + "3,3,3,3,3,3,3,3,4\n")
    got = run_json(capsys, "skm", str(f), "--population", "100")
    assert got["required_sample"] == 80 and got["sample_adequate"] is False
    assert got["ikm"] == pytest.approx((3.5 * 8 + 4) / 9, abs=1e-12)
    assert got["converted"] == pytest.approx(25 * (3.5 * 8 + 4) / 9, abs=1e-12)
    assert got["mutu"] == "A" and set(got["nrr"]) == {f"U{i}" for i in range(1, 10)}


@pytest.mark.parametrize(("content", "argv", "needle"), [
    ("q1,q2\n1,2\n3,x\n", ["--items", "q1,q2"], "line 3, column 'q2'"),
    ("q1,q2\n1,2\n3,9\n", ["--items", "q1,q2"], "line 3, column 'q2': value 9 outside 1..5"),
    ("q1,q2\n1,2\n", ["--items", "q1,q3"], "column 'q3' not found"),
    ("", ["--items", "q1,q2"], "empty file"),
    ("q1,q2\n", ["--items", "q1,q2"], "empty file"),
])
def test_bad_input_exits_2_with_row_and_column(tmp_path, capsys, content, argv, needle):
    f = tmp_path / "bad.csv"
    f.write_text(content)
    assert main(["reliability", str(f), *argv, "--points", "5"]) == 2
    assert needle in capsys.readouterr().err


def test_module_entry_point_prints_table():
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "skm", str(DATA / "c_units.csv")],
        capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 2 and "U1" in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "compare", str(DATA / "e4_welch_constant_group.csv"),
         "--group", "group", "--value", "score", "--a", "A", "--b", "B"],
        capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0 and "g Hedges" in proc.stdout and "-0.3784" in proc.stdout


def test_semicolon_csv_with_decimal_comma(capsys, tmp_path):
    f = tmp_path / "excel.csv"
    f.write_text("grup;skor\nA;3,5\nA;4\nA;4,5\nB;2\nB;2,5\nB;3\n")
    got = run_json(capsys, "compare", str(f), "--group", "grup", "--value", "skor",
                   "--a", "A", "--b", "B")
    assert got["mean_a"] == pytest.approx(4.0) and got["mean_b"] == pytest.approx(2.5)


def test_compare_matches_r_on_reference_waves(capsys, tmp_path, expected):
    from tests.analysis.conftest import load_csv, numeric

    cols = load_csv("d_waves.csv")
    score = numeric(cols, [f"q{i}" for i in range(1, 6)]).mean(axis=1)
    f = tmp_path / "waves.csv"
    f.write_text("wave,score\n" + "".join(f"{w},{float(s)!r}\n" for w, s in zip(cols["wave"], score,
                                                                         strict=True)))
    got = run_json(capsys, "compare", str(f), "--group", "wave", "--value", "score",
                   "--a", "W1", "--b", "W3")
    e = expected["d_waves.csv"]
    w, g = e["W3_vs_W1_welch"], e["W3_vs_W1_effectsize_hedges_g"]
    assert (got["t"], got["df"], got["p"]) == pytest.approx((w["t"], w["df"], w["p"]), abs=CLOSED)
    assert got["ci"] == pytest.approx([w["ci_lower"], w["ci_upper"]], abs=CLOSED)
    assert got["hedges_g"] == pytest.approx(g["g"], abs=CLOSED)
    assert got["g_ci"] == pytest.approx([g["lower"], g["upper"]], abs=OPTIM)


@pytest.mark.parametrize(("content", "needles"), [
    ("q1,q2,q1\n1,2,3\n", ["line 1", "column 'q1'", "columns 1 and 3"]),
    ("q1,q2\n1,2\n3\n", ["line 3", "1 cell", "2"]),
    ("q1,q2\n1,2,4\n2,2\n", ["line 2", "3 cells"]),
])
def test_duplicate_columns_and_ragged_rows_exit_2(tmp_path, capsys, content, needles):
    f = tmp_path / "shape.csv"
    f.write_text(content)
    assert main(["reliability", str(f), "--items", "q1,q2", "--points", "5"]) == 2
    err = capsys.readouterr().err
    assert all(n in err for n in needles), err


def test_line_numbers_count_blank_lines(tmp_path, capsys):
    f = tmp_path / "blank.csv"
    f.write_text("q1,q2\n1,2\n\n3,x\n")
    assert main(["reliability", str(f), "--items", "q1,q2", "--points", "5"]) == 2
    assert "line 4, column 'q2'" in capsys.readouterr().err


EXCEL_ROWS = [("unit", "skor"), ("Bagian Umum – Keuangan", 3.5), ("Bagian Umum – Keuangan", 4),
              ("Bagian Umum – Keuangan", 4.5), ("Dinas Pendidikan", 2),
              ("Dinas Pendidikan", 2.5), ("Dinas Pendidikan", 3)]


def excel_csv(encoding: str) -> bytes:
    lines = [f"{u};{str(s).replace('.', ',')}" for u, s in EXCEL_ROWS]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def compare_units(capsys, path):
    return run_json(capsys, "compare", str(path), "--group", "unit", "--value", "skor",
                    "--a", "Bagian Umum – Keuangan", "--b", "Dinas Pendidikan")


def test_cp1252_csv_is_read_with_a_note(tmp_path, capsys):
    f = tmp_path / "excel.csv"
    f.write_bytes(excel_csv("cp1252"))
    code = main(["compare", str(f), "--group", "unit", "--value", "skor",
                 "--a", "Bagian Umum – Keuangan", "--b", "Dinas Pendidikan", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert json.loads(out.out)["mean_a"] == pytest.approx(4.0)
    assert "cp1252" in out.err and "bukan UTF-8" in out.err and "not valid UTF-8" in out.err


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_utf8_with_or_without_bom_and_utf16_with_bom_read_silently(tmp_path, capsys, encoding):
    f = tmp_path / "unicode.csv"
    f.write_bytes(excel_csv(encoding))
    code = main(["compare", str(f), "--group", "unit", "--value", "skor",
                 "--a", "Bagian Umum – Keuangan", "--b", "Dinas Pendidikan", "--json"])
    out = capsys.readouterr()
    assert code == 0 and out.err == ""
    assert json.loads(out.out)["mean_b"] == pytest.approx(2.5)


def test_xlsx_is_read_like_the_csv(tmp_path, capsys):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Data"
    for row in EXCEL_ROWS:
        wb.active.append(row)
    wb.create_sheet("Catatan").append(["tidak dibaca"])
    f = tmp_path / "data.xlsx"  # named as Excel does; the content tells the format
    wb.save(f)
    got = compare_units(capsys, f)
    assert got["mean_a"] == pytest.approx(4.0) and got["mean_b"] == pytest.approx(2.5)
    assert got["n_a"] == 3 and got["n_b"] == 3


def test_xlsx_bad_cell_names_sheet_row_and_column(tmp_path, capsys):
    from openpyxl import Workbook

    wb = Workbook()
    for row in [("q1", "q2"), (1, 2), (3, "x")]:
        wb.active.append(row)
    f = tmp_path / "bad.xlsx"
    wb.save(f)
    assert main(["reliability", str(f), "--items", "q1,q2", "--points", "5"]) == 2
    assert "line 3, column 'q2'" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "content", "needle"), [
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "xls"),
    ("sheet.ods", b"PK\x03\x04" + b"\0" * 100, "xlsx"),
    ("odd.csv", b"q1,q2\n1,2\n\x81\x8d\n", "UTF-8"),
    ("blob.csv", b"q1,q2\n\0\0\0\n", "CSV"),
])
def test_unreadable_formats_exit_2_with_a_bilingual_message(tmp_path, capsys, name, content,
                                                            needle):
    f = tmp_path / name
    f.write_bytes(content)
    assert main(["reliability", str(f), "--items", "q1,q2", "--points", "5"]) == 2
    err = capsys.readouterr().err
    assert needle in err and " / " in err and "Traceback" not in err


def test_item_answer_with_a_fraction_is_not_a_whole_number(tmp_path, capsys):
    f = tmp_path / "frac.csv"
    f.write_text("q1,q2\n1,2\n3,3.5\n")
    assert main(["reliability", str(f), "--items", "q1,q2", "--points", "5"]) == 2
    err = capsys.readouterr().err
    assert "baris 3, kolom 'q2': nilai 3.5 bukan bilangan bulat" in err
    assert "line 3, column 'q2': value 3.5 is not a whole number" in err
    assert "outside" not in err


def test_infinite_value_is_not_a_finite_number(tmp_path, capsys):
    f = tmp_path / "inf.csv"
    f.write_text("g,y\nA,1\nB,inf\n")
    assert main(["compare", str(f), "--group", "g", "--value", "y", "--a", "A", "--b", "B"]) == 2
    assert "line 3, column 'y': value inf is not a finite number" in capsys.readouterr().err


def scale_file(tmp_path, name="scale.csv"):
    """c_units.csv reduced to unit and scale = rowMeans(q1..q6), the R reference's variable."""
    from tests.analysis.conftest import load_csv, numeric

    cols = load_csv("c_units.csv")
    scale = numeric(cols, [f"q{i}" for i in range(1, 7)]).mean(axis=1)
    f = tmp_path / name
    f.write_text("unit,scale\n" + "".join(f"{u},{float(s)!r}\n"
                                          for u, s in zip(cols["unit"], scale, strict=True)))
    return f


def test_icc_of_a_continuous_value_matches_r(capsys, tmp_path, expected):
    got = run_json(capsys, "icc", str(scale_file(tmp_path)), "--group", "unit",
                   "--value", "scale")
    e = expected["c_units.csv"]
    assert got["icc1"] == pytest.approx(e["ICC1_multilevel"], abs=CLOSED)
    assert got["icc2"] == pytest.approx(e["ICC2_multilevel"], abs=CLOSED)
    a = e["anova_scale"]
    assert (got["msb"], got["msw"], got["f"], got["p"]) == pytest.approx(
        (a["MSB"], a["MSW"], a["F"], a["p"]), abs=CLOSED)
    assert (got["df_between"], got["df_within"]) == (a["df_between"], a["df_within"])
    assert got["n"] == 277 and got["n_groups"] == 12 and got["reason"] is None
    assert got["groups"]["U01"] == 5


def test_icc_drops_missing_values_and_refuses_text(capsys, tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("g,y\nA,1.5\nA,NA\nA,2.25\nB,3.75\nB,4\n")
    got = run_json(capsys, "icc", str(f), "--group", "g", "--value", "y")
    assert got["n"] == 4 and got["groups"] == {"A": 2, "B": 2}
    f.write_text("g,y\nA,1.5\nB,tinggi\n")
    assert main(["icc", str(f), "--group", "g", "--value", "y"]) == 2
    assert "line 3, column 'y'" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["icc", "--value", "y"], ["agreement", "--items", "y",
                                                             "--points", "5"]])
def test_a_blank_group_cell_is_refused_not_counted_as_a_group(capsys, tmp_path, command):
    f = tmp_path / "g.csv"
    f.write_text("g,y\nA,1\nA,2\n,3\nB,4\nB,5\n")
    assert main([command[0], str(f), "--group", "g", *command[1:]]) == 2
    err = capsys.readouterr().err
    assert "line 4: group column 'g' is blank" in err and "baris 4" in err


def test_negatively_correlating_items_are_flagged(tmp_path, capsys):
    items = ",".join(f"q{i}" for i in range(1, 9))
    f = str(DATA / "a_single_factor_unreversed.csv")
    code = main(["reliability", f, "--items", items, "--points", "5", "--json"])
    out = capsys.readouterr()
    assert code == 0
    assert json.loads(out.out)["negative_r_drop"] == ["q3", "q6"]
    assert "q3, q6" in out.err and "--reverse" in out.err and "berkorelasi negatif" in out.err
    got = run_json(capsys, "reliability", f, "--items", items, "--reverse", "q3,q6",
                   "--points", "5")
    assert got["negative_r_drop"] == []
    assert capsys.readouterr().err == ""
