"""`python -m instruments check FILE` and `show ID`: output, messages and exit codes."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from instrument_samples import MINIMAL, mutate

from instruments import SHIPPED_DIR
from instruments.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_check_accepts_every_shipped_file():
    files = sorted(str(p) for p in SHIPPED_DIR.glob("*.toml"))
    status, out, err = run("check", *files, "--lang", "en")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        f"OK {files[0]}: learning@1.0 (culture), 1 scale(s), 7 dimension(s), 21 item(s)",
        f"OK {files[1]}: readiness@1.0 (culture), 1 scale(s), 2 dimension(s), 12 item(s)",
        f"OK {files[2]}: resistance@1.0 (culture), 1 scale(s), 4 dimension(s), 17 item(s)",
        f"OK {files[3]}: skm@1.0 (skm), 1 scale(s), 9 dimension(s), 9 item(s)",
    ]


def test_check_accepts_a_good_file_in_indonesian(write):
    path = write(MINIMAL)
    assert run("check", str(path)) == (
        0, f"OK {path}: demo@1.0 (culture), 1 skala, 1 dimensi, 2 butir\n", "")


def test_check_refuses_a_broken_file_with_exit_2(tmp_path, write):
    good = write(MINIMAL)
    bad = write(mutate(MINIMAL, "points = 3\n", 'points = "3"\n'), folder=tmp_path / "bad")
    status, out, err = run("check", str(good), str(bad))
    assert status == 2
    assert out == f"OK {good}: demo@1.0 (culture), 1 skala, 1 dimensi, 2 butir\n"
    assert err == (f"{bad}: skala 'DM': isian 'points' harus berupa bilangan bulat, "
                   "bukan teks\n")


def test_check_finds_a_code_clash_with_the_shipped_instruments(write):
    path = write(mutate(MINIMAL, 'code = "DM-A1"\n', 'code = "RD-CM1"\n'))
    status, _, err = run("check", str(path), "--lang", "en")
    assert status == 2
    assert err == (
        f"{path}: item 'RD-CM1': this code is already used by instrument 'readiness@1.0' "
        f"({SHIPPED_DIR / 'readiness-1.0.toml'}); item codes must be unique across all "
        "instruments\n")


def test_check_refuses_redefining_a_version_in_the_folder(tmp_path, write):
    first = write(MINIMAL, folder=tmp_path / "org")
    copy = write(MINIMAL, folder=tmp_path / "draft")
    status, _, err = run("check", str(copy), "--dir", str(tmp_path / "org"), "--lang", "en")
    assert status == 2
    assert err == f"{copy}: 'demo@1.0' is already defined by {first}; a version has one file\n"


def test_show_prints_the_instrument_in_english():
    status, out, err = run("show", "resistance", "--lang", "en")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "My Attitude towards Change  (resistance@1.0, culture)"
    assert ("  6 response options: 1 Strongly disagree | 2 Disagree | 3 Slightly disagree | "
            "4 Slightly agree | 5 Agree | 6 Strongly agree") in lines
    assert "  referent: individual (I); higher score = worse" in lines
    assert "    RC-RS3 (R)  I enjoy trying new ways of working even when the old way still works." \
        in lines
    assert sum(line.startswith("    RC-") for line in lines) == 17


def test_show_prints_skm_item_labels_and_respondent_questions_in_indonesian():
    status, out, _ = run("show", "skm", "--version", "1.0")
    assert status == 0
    assert "        1 Sangat mahal | 2 Cukup mahal | 3 Murah | 4 Gratis" in out.splitlines()
    assert "  SKM-SEX  Jenis kelamin: 1 Laki-laki | 2 Perempuan" in out.splitlines()
    assert "Pertanyaan tentang responden (boleh tidak dijawab)" in out.splitlines()


def test_show_finds_an_instrument_in_an_extra_folder(tmp_path, write):
    write(MINIMAL, folder=tmp_path / "org")
    status, out, _ = run("show", "demo", "--dir", str(tmp_path / "org"))
    assert status == 0
    assert out.splitlines()[0] == "Contoh  (demo@1.0, culture)"


@pytest.mark.parametrize(("argv", "message"), [
    (("show", "nope"),
     "instrumen 'nope' tidak ditemukan (tersedia: learning, readiness, resistance, skm)\n"),
    (("show", "skm", "--version", "9.9", "--lang", "en"),
     "instrument 'skm' has no version '9.9' (available: 1.0)\n"),
])
def test_show_refuses_unknown_id_or_version_with_exit_2(argv, message):
    assert run(*argv) == (2, "", message)


def test_bad_extra_folder_is_a_clear_error_with_exit_2(tmp_path):
    folder = tmp_path / "missing"
    status, _, err = run("show", "skm", "--dir", str(folder), "--lang", "en")
    assert (status, err) == (
        2, f"{folder}: instrument folder not found (check LENTERA_INSTRUMENT_DIRS)\n")


def test_module_entry_point_exits_2_on_a_bad_file(write):
    bad = write(mutate(MINIMAL, 'text.en = "Item one."\n', ""))
    result = subprocess.run(
        [sys.executable, "-m", "instruments", "check", str(bad), "--lang", "en"],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr == (
        f"{bad}: item 'DM-A1': missing translation: field 'text.en' is absent\n")


def test_module_entry_point_usage_error_exits_2():
    result = subprocess.run([sys.executable, "-m", "instruments", "show"], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "the following arguments are required: ID" in result.stderr
