"""Exports of a closed wave (CSV, Excel, SPSS): figures checked against numpy on the raw
answers, suppression identical to the reports, the respondent-level permission and audit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import tempfile
import uuid
from pathlib import Path

import numpy as np
import pyreadstat
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from survey_app.extensions import db
from survey_app.models import Answer, AuditEntry, Response, User
from survey_app.services import close_wave, create_wave, issue_codes, open_wave
from survey_app.services.users import create_user

from .conftest import CODE_KEY, add_units, csrf_token

PASSWORD = "correct horse battery"
ITEMS = ("RD11", "RD12", "RD21", "RD22")  # tready: 5 points, RD12 and RD22 reverse-keyed
DIMENSIONS = {"RDD1": ("RD11", "RD12"), "RDD2": ("RD21", "RD22")}
REVERSED = {"RD12", "RD22"}
HOSTILE = "=HYPERLINK(\"http://x\") Kelurahan"
# own respondents per unit as (struktural, fungsional); A1 is a child of A (A has its own
# respondents too); C is below k = 5; E (8) is then the smallest sibling: complementary.
DESIGN = {"A": (7, 5), "A1": (5, 5), "B": (8, 2), "C": (2, 1), "E": (4, 4)}
FIGURES = ("n", "mean", "sd", "score100", "score100_ci_low", "score100_ci_high",
           "favourable", "rwg_j", "agreement", "alpha_wave", "omega_wave", "icc1_wave",
           "icc2_wave", "estimate100", "estimate100_ci_low", "estimate100_ci_high",
           "mean_reliability", "change_verdict", "comparison_verdict")


@pytest.fixture
def survey(app):  # type: ignore[no-untyped-def]
    """A closed wave (k = 5, cut jabatan) with answers inserted in a shuffled unit order."""
    rng = np.random.default_rng(11)
    with app.app_context():
        units = add_units([("ROOT", "Pemerintah Kota", None, 0), ("A", "Kecamatan A", "ROOT", 14),
                           ("A1", "Kelurahan A1", "A", 12), ("B", HOSTILE, "ROOT", 12),
                           ("C", "Seksi Kecil", "ROOT", 4), ("E", "Dinas E", "ROOT", 9)])
        wave = create_wave(name="Budaya 2026-Q4", period="2026-Q4", instrument_keys=["tready"],
                           unit_ids=[units[c].id for c in DESIGN], opens_on=dt.date(2026, 11, 2),
                           closes_on=dt.date(2026, 11, 20), k=5, cut="jabatan", actor="test")
        open_wave(wave, actor="test")
        plan = [(code, cut) for code, (s, f) in DESIGN.items()
                for cut in ["struktural"] * s + ["fungsional"] * f]
        order = rng.permutation(len(plan))
        inserted = []
        for i in order:
            code, cut = plan[i]
            values = {item: int(rng.integers(1, 6)) for item in ITEMS}
            rid = uuid.uuid4()
            db.session.execute(sa.insert(Response), [{"id": rid, "wave_id": wave.id,
                                                      "unit_id": units[code].id, "cut": cut}])
            db.session.execute(sa.insert(Answer), [
                {"response_id": rid, "item_code": item, "value": v, "points": 5}
                for item, v in values.items()])
            inserted.append((code, cut, values))
        for code in DESIGN:
            issue_codes(wave, units[code], 1, key=CODE_KEY, actor="test")
        close_wave(wave, actor="test")
        draft = create_wave(name="Budaya 2027-Q1", period="2027-Q1", instrument_keys=["tready"],
                            unit_ids=[units["A"].id], opens_on=dt.date(2027, 2, 1),
                            closes_on=dt.date(2027, 2, 20), k=5, actor="test")
        open_wave(draft, actor="test")
        create_user("admin", PASSWORD, "admin")
        create_user("analis", PASSWORD, "analyst")
        create_user("peneliti", PASSWORD, "analyst").can_export_respondents = True
        create_user("camat.a", PASSWORD, "unit_head", units["A"].id)
        db.session.commit()
        return {"wave": wave.id, "open": draft.id, "inserted": inserted,
                "units": {c: u.id for c, u in units.items()}}


def login(client, username: str):  # type: ignore[no-untyped-def]
    page = client.get("/hr/masuk").get_data(as_text=True)
    r = client.post("/hr/masuk", data={"csrf_token": csrf_token(page), "username": username,
                                       "password": PASSWORD})
    assert r.status_code == 302
    return client


def scores(inserted, codes: set[str], dimension: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Respondent scores of a dimension (mean of its items after reverse-keying), by numpy."""
    items = DIMENSIONS[dimension]
    rows = [[6 - v[i] if i in REVERSED else v[i] for i in items]
            for code, _, v in inserted if code in codes]
    return np.asarray(rows, dtype=float).mean(axis=1)


def aggregated(client, wave_id: int, fmt: str):  # type: ignore[no-untyped-def]
    r = client.get(f"/hr/ekspor/{wave_id}/agregat.{fmt}")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return r


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_sav(data: bytes):  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.sav"
        path.write_bytes(data)
        return pyreadstat.read_sav(str(path))


def whole_unit(rows: list[dict], unit: str, dim: str) -> dict:  # type: ignore[type-arg]
    (row,) = [r for r in rows if r["unit_code"] == unit and r["dimension"] == dim
              and not r["cut"]]
    return row


# ---------------------------------------------------------------- aggregated


def test_aggregated_csv_figures_match_numpy_on_the_raw_answers(client, survey):
    login(client, "analis")
    r = aggregated(client, survey["wave"], "csv")
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == 'attachment; filename="lentera-2026-Q4-agregat.csv"'
    rows = read_csv(r.data)
    for unit, members in [("A1", {"A1"}), ("A", {"A", "A1"}), ("ROOT", {"A", "A1", "B", "C", "E"})]:
        for dim in DIMENSIONS:
            expect = scores(survey["inserted"], members, dim)
            row = whole_unit(rows, unit, dim)
            assert row["status"] == "shown"
            assert int(row["n"]) == expect.size
            assert float(row["mean"]) == pytest.approx(expect.mean(), abs=1e-12)
            assert float(row["sd"]) == pytest.approx(expect.std(ddof=1), abs=1e-12)
            assert float(row["score100"]) == pytest.approx((expect.mean() - 1) / 4 * 100,
                                                           abs=1e-10)
    # a cut cell: A's subtree, struktural (7 + 5 respondents)
    a_s = [r for r in rows if r["unit_code"] == "A" and r["dimension"] == "RDD1"
           and r["cut"] == "struktural"][0]
    expect = np.mean([scores([x], {"A", "A1"}, "RDD1")[0] for x in survey["inserted"]
                      if x[0] in ("A", "A1") and x[1] == "struktural"])
    assert a_s["status"] == "shown" and int(a_s["n"]) == 12
    assert float(a_s["mean"]) == pytest.approx(expect, abs=1e-12)
    assert a_s["sd"] == ""  # the analysis has no SD per cut cell


def test_suppression_is_the_reports_own(app, client, survey):
    """C is below k and E is hidden so that C cannot be recovered from ROOT - A - B."""
    with app.app_context():
        from survey_app.models import Wave
        from survey_app.services.publication import analyse_culture_wave

        bundle = analyse_culture_wave(db.session.get(Wave, survey["wave"]))
        reason = {u.code: str(bundle.waves[0].result.disclosure.reason[i])
                  for i, u in enumerate(bundle.units)}
    assert reason == {"ROOT": "", "A": "", "A1": "", "B": "", "C": "below_k",
                      "E": "complementary"}
    login(client, "admin")
    rows = read_csv(aggregated(client, survey["wave"], "csv").data)
    assert {r["unit_code"] for r in rows if r["status"] == "suppressed" and not r["cut"]} == {
        "C", "E"}
    # B: 2 fungsional is below k, so B's struktural cell is hidden too
    b_cuts = {r["cut"]: r["status"] for r in rows if r["unit_code"] == "B" and r["cut"]}
    assert b_cuts == {"struktural": "suppressed", "fungsional": "suppressed"}


def test_shown_cells_are_exactly_the_organisation_report_heatmap_cells(app, client, survey):
    """Every unit x dimension cell has a figure in the export iff the organisation report
    (its heatmap context) prints a score for it."""
    from reports.build import build_org_context
    from survey_app.models import Wave
    from survey_app.services.publication import analyse_culture_wave

    with app.app_context():
        bundle = analyse_culture_wave(db.session.get(Wave, survey["wave"]))
        org = build_org_context(bundle.names, bundle.waves, bundle.info, bundle.invited)
        printed = {(row.name, d.code): score is not None for row in org.units
                   for d, score in zip(org.dimensions, row.scores100, strict=True)}
    login(client, "admin")
    rows = read_csv(aggregated(client, survey["wave"], "csv").data)
    exported = {(r["unit_name"].removeprefix("'"), r["dimension"]): r["status"] == "shown"
                and r["score100"] != "" for r in rows if not r["cut"]}
    assert exported == printed
    assert sorted(printed.values()) == [False] * 4 + [True] * 8


def _suppressed_rows_are_empty(rows: list[dict], empty) -> None:  # type: ignore[no-untyped-def,type-arg]
    hidden = [r for r in rows if r["unit_code"] in ("C", "E")]
    assert len(hidden) == 2 * 3 * 2  # 2 units x (whole + 2 cut categories) x 2 dimensions
    for row in hidden + [r for r in rows if r["status"] in ("suppressed", 0)]:
        assert row["status"] in ("suppressed", 0)
        assert all(empty(row[f]) for f in FIGURES), row


def test_suppressed_units_have_no_figure_in_any_format(client, survey):
    login(client, "admin")
    wave = survey["wave"]
    _suppressed_rows_are_empty(read_csv(aggregated(client, wave, "csv").data),
                               lambda v: v == "")
    sheet = load_workbook(io.BytesIO(aggregated(client, wave, "xlsx").data))["data"]
    values = list(sheet.iter_rows(values_only=True))
    _suppressed_rows_are_empty([dict(zip(values[0], v, strict=True)) for v in values[1:]],
                               lambda v: v is None)
    df, meta = read_sav(aggregated(client, wave, "sav").data)
    assert meta.variable_value_labels["status"] == {0.0: "disembunyikan (kelompok kecil)",
                                                    1.0: "ditampilkan"}
    records = df.to_dict("records")
    for record in records:
        record["status"] = int(record["status"])
    _suppressed_rows_are_empty(
        records, lambda v: v == "" or (isinstance(v, float) and math.isnan(v)))


def test_xlsx_and_sav_hold_the_same_figures_as_numbers(client, survey):
    login(client, "admin")
    wave = survey["wave"]
    rows = read_csv(aggregated(client, wave, "csv").data)
    book = load_workbook(io.BytesIO(aggregated(client, wave, "xlsx").data))
    sheet = book["data"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    header = [c.value for c in sheet[1]]
    assert header == list(rows[0])
    xrows = [dict(zip(header, v, strict=True)) for v in sheet.iter_rows(min_row=2,
                                                                         values_only=True)]
    assert len(xrows) == len(rows)
    a1 = next(r for r in xrows if r["unit_code"] == "A1" and r["dimension"] == "RDD2"
              and r["cut"] is None)
    expect = scores(survey["inserted"], {"A1"}, "RDD2")
    assert isinstance(a1["n"], int) and a1["n"] == 10
    assert isinstance(a1["mean"], float) and a1["mean"] == pytest.approx(expect.mean())
    b = next(c for c in sheet["B"][1:] if c.value == HOSTILE)
    assert b.data_type == "s"  # a unit name starting with "=" stays text, not a formula
    assert any(r["unit_name"] == "'" + HOSTILE for r in rows)  # and is defused in the CSV
    df, meta = read_sav(aggregated(client, wave, "sav").data)
    assert list(df.columns) == header
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["n"] == "Jumlah responden dengan skor dimensi"
    assert meta.variable_value_labels["cut"] == {1.0: "struktural", 2.0: "fungsional"}
    srow = df[(df.unit_code == "A1") & (df.dimension == "RDD2") & df.cut.isna()].iloc[0]
    assert srow["n"] == 10 and srow["mean"] == pytest.approx(expect.mean())
    assert srow["sd"] == pytest.approx(expect.std(ddof=1))


def test_english_labels(client, survey):
    login(client, "admin")
    client.get("/hr/?lang=en")
    _, meta = read_sav(aggregated(client, survey["wave"], "sav").data)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["n"] == "Respondents with a dimension score"


def test_unit_head_gets_only_the_own_subtree(client, survey):
    login(client, "camat.a")
    rows = read_csv(aggregated(client, survey["wave"], "csv").data)
    assert {r["unit_code"] for r in rows} == {"A", "A1"}


def test_open_wave_is_refused(app, client, survey):
    login(client, "peneliti")
    for fmt in ("csv", "xlsx", "sav"):
        r = client.get(f"/hr/ekspor/{survey['open']}/agregat.{fmt}")
        assert r.status_code == 409
        assert "belum ditutup" in r.get_data(as_text=True)
    page = client.get(f"/hr/gelombang/{survey['open']}").get_data(as_text=True)
    assert "/hr/ekspor/" not in page
    token = csrf_token(page)
    r = client.post(f"/hr/ekspor/{survey['open']}/responden",
                    data={"csrf_token": token, "fmt": "csv"})
    assert r.status_code == 409 and "belum ditutup" in r.get_data(as_text=True)
    assert client.get(f"/hr/ekspor/{survey['wave']}/agregat.pdf").status_code == 404
    result = app.test_cli_runner().invoke(args=["export", "--wave", "2027-Q1", "--format",
                                                "csv", "--out", "/dev/null"])
    assert result.exit_code != 0 and "belum ditutup" in result.output


# ---------------------------------------------------------------- respondent-level


def post_respondents(client, wave_id: int, fmt: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get(f"/hr/gelombang/{wave_id}").get_data(as_text=True))
    return client.post(f"/hr/ekspor/{wave_id}/responden", data={"csrf_token": token,
                                                                "fmt": fmt})


def audit_rows(app) -> list[tuple]:  # type: ignore[no-untyped-def,type-arg]
    with app.app_context():
        return [tuple(r) for r in db.session.execute(
            sa.select(AuditEntry.actor, AuditEntry.action, AuditEntry.wave_id,
                      AuditEntry.detail).where(AuditEntry.action == "export.respondents"))]


def test_respondent_export_needs_the_permission(app, client, survey):
    login(client, "analis")
    page = client.get(f"/hr/gelombang/{survey['wave']}").get_data(as_text=True)
    assert f"/hr/ekspor/{survey['wave']}/agregat.csv" in page
    assert f"/hr/ekspor/{survey['wave']}/responden" not in page
    r = post_respondents(client, survey["wave"], "csv")
    assert r.status_code == 403
    assert "izin khusus yang diberikan oleh admin" in r.get_data(as_text=True)
    assert audit_rows(app) == []
    with app.app_context():  # revoked permission: refused again
        db.session.execute(sa.update(User).where(User.username == "peneliti")
                           .values(can_export_respondents=False))
        db.session.commit()
    other = login(app.test_client(), "peneliti")
    assert post_respondents(other, survey["wave"], "csv").status_code == 403


def test_respondent_export_rows(app, client, survey):
    login(client, "peneliti")
    page = client.get(f"/hr/gelombang/{survey['wave']}").get_data(as_text=True)
    assert f"/hr/ekspor/{survey['wave']}/responden" in page
    r = post_respondents(client, survey["wave"], "csv")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"].endswith('lentera-2026-Q4-responden.csv"')
    rows = read_csv(r.data)
    assert list(rows[0]) == ["unit_code", *ITEMS, "cut"]  # no id, no date
    text = r.data.decode("utf-8-sig")
    assert not re.search(r"\d{4}-\d{2}-\d{2}|[0-9a-f]{8}-[0-9a-f]{4}-", text)
    # C (below k) and E (complementary) never appear
    assert {row["unit_code"] for row in rows} == {"A", "A1", "B"}
    inserted = [(code, cut, tuple(v[i] for i in ITEMS)) for code, cut, v in survey["inserted"]
                if code in ("A", "A1", "B")]
    exported = [(row["unit_code"], row["cut"], tuple(int(row[i]) for i in ITEMS))
                for row in rows]
    # the raw answers, as answered, unit by unit
    for unit in ("A", "A1", "B"):
        assert sorted(a for c, _, a in exported if c == unit) == sorted(
            a for c, _, a in inserted if c == unit)
    # B's fungsional cell (2) is below k and its struktural cell is then hidden too
    assert {cut for c, cut, _ in exported if c == "B"} == {""}
    assert {cut for c, cut, _ in exported if c == "A1"} == {"struktural", "fungsional"}
    assert sorted((c, cut) for c, cut, _ in exported if c in ("A", "A1")) == sorted(
        (c, cut) for c, cut, _ in inserted if c in ("A", "A1"))
    # not the insertion order
    assert [(c, a) for c, _, a in exported] != [(c, a) for c, _, a in inserted]
    assert audit_rows(app) == [("peneliti", "export.respondents", survey["wave"],
                                "format=csv rows=32")]


def test_respondent_export_in_spss_and_excel(app, client, survey):
    login(client, "peneliti")
    df, meta = read_sav(post_respondents(client, survey["wave"], "sav").data)
    assert list(df.columns) == ["unit_code", *ITEMS, "cut"]
    assert meta.variable_value_labels["RD11"] == {float(v): f"opsi {v}" for v in range(1, 6)}
    assert meta.variable_value_labels["cut"] == {1.0: "struktural", 2.0: "fungsional"}
    assert dict(zip(meta.column_names, meta.column_labels, strict=True))["RD12"] == \
        "Pernyataan RD12"
    assert set(df.unit_code) == {"A", "A1", "B"} and len(df) == 32
    assert df[df.unit_code == "B"].cut.isna().all()
    sheet = load_workbook(io.BytesIO(post_respondents(client, survey["wave"], "xlsx").data))
    values = list(sheet["data"].iter_rows(values_only=True))
    assert values[0] == ("unit_code", *ITEMS, "cut") and len(values) == 33
    assert all(isinstance(v, int) for row in values[1:] for v in row[1:5])
    assert [d for *_, d in audit_rows(app)] == ["format=sav rows=32", "format=xlsx rows=32"]


def test_cli_export(app, survey, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "agg.xlsx"
    r = runner.invoke(args=["export", "--wave", "2026-Q4", "--format", "xlsx", "--out",
                            str(out)])
    assert r.exit_code == 0, r.output
    assert load_workbook(out)["data"]["A1"].value == "unit_code"
    assert audit_rows(app) == []  # aggregated exports are not audited
    out = tmp_path / "resp.csv"
    r = runner.invoke(args=["export", "--wave", "2026-Q4", "--format", "csv", "--respondents",
                            "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert len(read_csv(out.read_bytes())) == 32
    assert audit_rows(app) == [("cli", "export.respondents", survey["wave"],
                                "format=csv rows=32")]


def test_published_cells_carry_the_evidence_standard(client, survey):
    """Pooled score with its interval, the unit-vs-rest verdict and the reliability of the
    unit mean, as the reports give them (issue #13)."""
    from analysis import agreement, evidence

    login(client, "analis")
    rows = [r for r in read_csv(aggregated(client, survey["wave"], "csv").data)
            if r["status"] == "shown" and not r["cut"]]
    assert rows
    for r in rows:
        low, est, high = (float(r[k]) for k in ("estimate100_ci_low", "estimate100",
                                                 "estimate100_ci_high"))
        assert 0 <= low <= est <= high <= 100
        assert r["change_verdict"] == ""  # no earlier wave
        if r["unit_code"] == "ROOT":  # no rest of the organisation to compare with
            assert r["comparison_verdict"] == evidence.NOT_COMPUTABLE
        else:
            assert r["comparison_verdict"] in evidence.VERDICTS
        want = agreement.mean_reliability(float(r["icc1_wave"]), int(r["n"]))
        assert float(r["mean_reliability"]) == pytest.approx(float(want), abs=1e-12)
