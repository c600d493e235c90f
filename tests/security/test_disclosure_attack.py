"""Attacks on what a wave publishes, as an analyst or unit head would run them (issue #12).

- The disclosure rule against a joint integer-programming attacker (tests/security/attacker.py)
  on generated trees with cut cells, and on an open wave's page polled after every
  submission.
- Closed waves are frozen: two downloads around a tree change are the same file; a later
  wave's "previous quarter" is the earlier wave as it was published under its own k; two
  waves over overlapping unit sets show the same earlier figures.
- The wave page and the published results together pin no group below k.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid

import numpy as np
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.disclosure import suppress
from survey_app.extensions import db
from survey_app.models import Answer, Response, Unit, Wave
from survey_app.services import (
    close_wave,
    create_wave,
    import_units,
    issue_codes,
    open_wave,
)
from survey_app.services.users import create_user
from tests.app.conftest import CODE_KEY, FULL_ANSWERS, add_units, csrf_token
from tests.app.helpers import submit
from tests.security.attacker import Attack, Snapshot

PASSWORD = "correct horse battery"
ANSWERS = {item: value for item, value in FULL_ANSWERS.items() if item.startswith("RD")}


# ---------------------------------------------------------------- generated trees

@st.composite
def trees(draw):  # type: ignore[no-untyped-def]
    u = draw(st.integers(2, 9))
    parent = [-1] + [draw(st.integers(0, i - 1)) for i in range(1, u)]
    direct = np.array([draw(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 9, 12]))
                       for _ in range(u)], dtype=np.int64)
    cut = np.zeros((u, 2), dtype=np.int64)
    for t in range(u):
        a = draw(st.integers(0, int(direct[t])))
        cut[t] = (a, draw(st.integers(0, int(direct[t]) - a)))
    return np.array(parent), direct, cut, draw(st.sampled_from([3, 5]))


def _published(parent, direct, cut, k) -> Snapshot:  # type: ignore[no-untyped-def]
    res = suppress(tuple(parent.tolist()), tuple(direct.tolist()), k,
                   tuple(map(tuple, cut.tolist())))
    snap = Snapshot()
    for u in range(parent.size):
        if res.shown[u]:
            snap.exact[(u, None)] = int(res.counts[u])
        for c in range(cut.shape[1]):
            if res.cut_shown[u, c]:
                snap.exact[(u, c)] = int(res.cut_counts[u, c])
    return snap


def _truth(direct, cut) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.concatenate([cut, (direct - cut.sum(axis=1))[:, None]], axis=1)[None]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_a_joint_solver_derives_no_small_group_from_a_published_wave(case):
    parent, direct, cut, k = case
    attack = Attack(parent.tolist(), 2, [True] * parent.size, None,
                    [_published(parent, direct, cut, k)])
    assert attack.leaks(_truth(direct, cut), k) == []


def test_the_attacker_finds_a_leak_where_there_is_one():
    """Published naively (every cell of at least k), a parent of 12 with shown children of
    5 and 5 gives away its own 2 respondents; and a band crossing pins nothing below k."""
    snap = Snapshot(exact={(0, None): 12, (1, None): 5, (2, None): 5})
    truth = np.array([[[2], [5], [5]]])
    assert Attack([-1, 0, 0], 0, [True] * 3, None, [snap]).leaks(truth, 5) == [
        "t=0 own of unit 0 cut=None: 2"]
    banded = Snapshot(bands={(0, None): (10, 14), (1, None): (5, 9), (2, None): (5, 9)})
    assert Attack([-1, 0, 0], 0, [True] * 3, None, [banded]).leaks(truth, 5) == []


# ---------------------------------------------------------------- the app

@pytest.fixture
def tree(app):  # type: ignore[no-untyped-def]
    """ROOT > KEC > (KEL1 8 staff, KEL2 3 staff), ROOT > DINAS 9 staff; users."""
    with app.app_context():
        units = add_units([("ROOT", "Pemkot", None, 0), ("KEC", "Kecamatan", "ROOT", 6),
                           ("KEL1", "Kelurahan Satu", "KEC", 8),
                           ("KEL2", "Kelurahan Dua", "KEC", 3),
                           ("DINAS", "Dinas", "ROOT", 9)])
        create_user("admin", PASSWORD, "admin")
        create_user("camat", PASSWORD, "unit_head", units["KEC"].id)
        db.session.commit()
        return {c: u.id for c, u in units.items()}


# own respondents per unit: KEL2 (3) is below k = 5; KEC has 6 of its own
DESIGN = {"KEC": 6, "KEL1": 7, "KEL2": 3, "DINAS": 8}


def _closed_wave(name: str, period: str, units: dict[str, int], design: dict[str, int],
                 k: int, opens: dt.date, rng: np.random.Generator) -> int:
    wave = create_wave(name=name, period=period, instrument_keys=["tready"],
                       unit_ids=[units[c] for c in design], opens_on=opens,
                       closes_on=opens + dt.timedelta(days=20), k=k, actor="test")
    open_wave(wave, actor="test")
    for code, n in design.items():
        issue_codes(wave, db.session.get(Unit, units[code]), n + 1, key=CODE_KEY, actor="t")
        for _ in range(n):
            rid = uuid.uuid4()
            db.session.execute(sa.insert(Response), [{"id": rid, "wave_id": wave.id,
                                                      "unit_id": units[code], "cut": None}])
            db.session.execute(sa.insert(Answer), [
                {"response_id": rid, "item_code": item, "value": int(rng.integers(1, 6)),
                 "points": 5} for item in ("RD11", "RD12", "RD21", "RD22")])
    close_wave(wave, actor="test")
    db.session.commit()
    return wave.id


def _login(client, username: str) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/hr/masuk").get_data(as_text=True)
    r = client.post("/hr/masuk", data={"username": username, "password": PASSWORD,
                                       "csrf_token": csrf_token(page)})
    assert r.status_code == 302


def _export(client, wave_id: int) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    r = client.get(f"/hr/ekspor/{wave_id}/agregat.csv")
    assert r.status_code == 200
    return list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))


def _move(app, code: str, parent: str) -> None:  # type: ignore[no-untyped-def]
    """What an analyst does with one row of the unit import."""
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == code))
        row = f"code,name,parent_code,headcount\n{code},{unit.name},{parent},{unit.headcount}\n"
        import_units("units.csv", row.encode())
        db.session.commit()


def test_two_downloads_around_a_tree_change_subtract_to_nothing(app, client, tree):
    rng = np.random.default_rng(1)
    with app.app_context():
        wave_id = _closed_wave("W1", "2026-Q1", tree, DESIGN, 5, dt.date(2026, 1, 5), rng)
    _login(client, "admin")
    before = _export(client, wave_id)
    _move(app, "KEL2", "")  # the 3-person unit to the top of the tree
    after = _export(client, wave_id)
    _move(app, "KEL2", "KEC")
    n = {(r["unit_code"], r["dimension"]): r["n"] for r in before}
    differences = {key: (n[key], r["n"]) for r in after
                   if n.get(key := (r["unit_code"], r["dimension"])) != r["n"]}
    assert differences == {}
    assert before == after
    assert not any(r["unit_code"] == "KEL2" and r["status"] == "shown" for r in after)


def test_the_pdfs_of_a_closed_wave_do_not_follow_a_tree_change(app, client, tree):
    """The organisation and parent reports rendered after the small unit moved (the cache of
    built PDFs removed first) say what they said before."""
    import shutil
    from pathlib import Path

    from tests.reports.pdftext import pdf_text

    with app.app_context():
        wave_id = _closed_wave("W1", "2026-Q1", tree, DESIGN, 5, dt.date(2026, 1, 5),
                               np.random.default_rng(6))
    _login(client, "admin")
    urls = [f"/hr/laporan/{wave_id}/organisasi.pdf",
            f"/hr/laporan/{wave_id}/unit/{tree['KEC']}.pdf"]

    def texts() -> list[str]:
        shutil.rmtree(Path(app.instance_path) / "reports", ignore_errors=True)
        return [pdf_text(client.get(url).data) for url in urls]

    before = texts()
    _move(app, "KEL2", "")
    assert texts() == before
    assert "Kelurahan Dua" in before[0]


def _bundle(app, wave_id: int):  # type: ignore[no-untyped-def]
    from survey_app.services.publication import analyse_culture_wave

    return analyse_culture_wave(db.session.get(Wave, wave_id))


def test_an_earlier_wave_is_shown_only_as_published_under_its_own_k(app, tree):
    """DINAS has 6 respondents in W1 (k = 7): hidden. In W2 (k = 5) DINAS's "previous
    quarter" and its history must stay hidden, although 6 >= 5."""
    rng = np.random.default_rng(2)
    with app.app_context():
        w1 = _closed_wave("W1", "2026-Q1", tree, {**DESIGN, "DINAS": 6}, 7,
                          dt.date(2026, 1, 5), rng)
        w2 = _closed_wave("W2", "2026-Q2", tree, DESIGN, 5, dt.date(2026, 4, 5), rng)
        first, second = _bundle(app, w1), _bundle(app, w2)
        dinas = [u.unit_id for u in second.units].index(tree["DINAS"])
        assert not first.waves[0].result.shown[[u.unit_id for u in first.units]
                                                .index(tree["DINAS"])]
        trend = second.waves[0].result.trend
        assert not trend.shown[dinas].any()
        assert np.isnan(trend.previous_mean[dinas]).all()
        assert np.isnan(second.waves[0].history[0][dinas]).all()


def test_waves_over_overlapping_units_show_the_same_earlier_figures(app, tree):
    """Two throwaway waves after W1, one over every unit, one without KEL2: the earlier
    figures of the units they share must be the same (else they differ by KEL2's group)."""
    rng = np.random.default_rng(3)
    with app.app_context():
        _closed_wave("W1", "2026-Q1", tree, DESIGN, 5, dt.date(2026, 1, 5), rng)
        a = _bundle(app, _closed_wave("Wa", "2026-Q2", tree, DESIGN, 5, dt.date(2026, 4, 5),
                                      rng))
        b = _bundle(app, _closed_wave("Wb", "2026-Q2b", tree,
                                      {c: n for c, n in DESIGN.items() if c != "KEL2"}, 5,
                                      dt.date(2026, 4, 5), rng))
        for code in ("ROOT", "KEC"):
            ia = [u.unit_id for u in a.units].index(tree[code])
            ib = [u.unit_id for u in b.units].index(tree[code])
            ta, tb = a.waves[0].result.trend, b.waves[0].result.trend
            np.testing.assert_array_equal(ta.previous_n[ia], tb.previous_n[ib])
            np.testing.assert_array_equal(ta.previous_mean[ia], tb.previous_mean[ib])


ROW = re.compile(r'<tr><td(?: class="tree\d")?>((?:— )*)([^<]+)</td><td>\d+</td><td>[^<]*</td>'
                 r"<td>(.*?)</td>")


def _page_counts(client, wave_id: int) -> dict[str, tuple[int, int] | None]:  # type: ignore[no-untyped-def]
    """unit name -> (low, high) of the respondents the wave page shows, None if hidden."""
    html = client.get(f"/hr/gelombang/{wave_id}").get_data(as_text=True)
    out: dict[str, tuple[int, int] | None] = {}
    for _depth, name, cell in ROW.findall(html):
        numbers = [int(x) for x in re.findall(r"\d+", re.sub(r"<[^>]+>", "", cell))]
        out[name] = None if "muted" in cell or not numbers else (numbers[0], numbers[-1])
    return out


def _attack_from(app, wave_id: int, snapshots: list[Snapshot]) -> tuple[Attack, list[str]]:  # type: ignore[no-untyped-def]
    from survey_app.services.publication import layout

    with app.app_context():
        units = layout(db.session.get(Wave, wave_id))
        parent = [-1 if u.parent_position is None else u.parent_position for u in units]
        return Attack(parent, 0, [u.surveyed for u in units], None, snapshots), \
            [u.name for u in units]


def _snapshot(names: list[str], counts: dict, exact_from_export=None) -> Snapshot:  # type: ignore[no-untyped-def]
    snap = Snapshot()
    for u, name in enumerate(names):
        band = counts.get(name)
        if band is not None:
            snap.bands[(u, None)] = band
    for u, value in (exact_from_export or {}).items():
        snap.exact[(u, None)] = value
    return snap


def test_an_open_wave_polled_after_every_submission_then_closed_pins_no_small_group(
        app, client, tree):
    """The unit head's and HR's page after each submission through the real respondent
    pages, then the closed wave's page and export: solved jointly, no group of 1..4."""
    with app.app_context():
        wave = create_wave(name="W", period="2026-Q3", instrument_keys=["tready"],
                           unit_ids=[tree[c] for c in DESIGN], opens_on=dt.date(2026, 7, 1),
                           closes_on=dt.date(2026, 7, 30), k=5, actor="test")
        open_wave(wave, actor="test")
        codes = {c: [x.code for x in issue_codes(wave, db.session.get(Unit, tree[c]), n,
                                                  key=CODE_KEY, actor="t")]
                 for c, n in DESIGN.items()}
        wave_id = wave.id
        db.session.commit()
    order = [c for c, n in DESIGN.items() for _ in range(n)]
    np.random.default_rng(4).shuffle(order)
    _login(client, "admin")
    attack, names = _attack_from(app, wave_id, [])
    position = {name: i for i, name in enumerate(names)}
    code_unit = {"Kecamatan": "KEC", "Kelurahan Satu": "KEL1", "Kelurahan Dua": "KEL2",
                 "Dinas": "DINAS"}
    truth, direct = [], np.zeros((len(names), 1), dtype=np.int64)
    respondent = app.test_client()
    for step, unit_code in enumerate(order):
        assert submit(respondent, codes[unit_code].pop(), ANSWERS).status_code == 200
        direct[position[next(n for n, c in code_unit.items() if c == unit_code)], 0] += 1
        if step % 3 == 2 or step == len(order) - 1:  # every few submissions: 9 looks
            attack.snapshots.append(_snapshot(names, _page_counts(client, wave_id)))
            truth.append(direct.copy())
    with app.app_context():
        close_wave(db.session.get(Wave, wave_id), actor="test")
        db.session.commit()
    closed = _page_counts(client, wave_id)
    assert closed["Kelurahan Dua"] is None  # 3 respondents, k = 5
    assert all(low == high for low, high in filter(None, closed.values()))
    attack.snapshots.append(_snapshot(names, closed))
    truth.append(direct.copy())
    looks = attack.snapshots[:-1]
    assert len(looks) == 8 and any(lo < hi for s in looks for lo, hi in s.bands.values())
    assert attack.leaks(np.array(truth), 5) == []


def test_audit_names_unpublished_and_unfrozen_waves_and_publish_runs_once(app, tree):
    from survey_app.models import PublishedCell, WaveUnit
    from survey_app.ops.audit import run_audit

    def cells():  # type: ignore[no-untyped-def]
        with app.app_context():
            return [(c.position, c.dimension, c.n, c.mean) for c in db.session.scalars(
                sa.select(PublishedCell).order_by(PublishedCell.position,
                                                  PublishedCell.dimension))]

    def delete(*models) -> None:  # type: ignore[no-untyped-def]
        with app.app_context():
            for model in models:
                db.session.execute(sa.delete(model))
            db.session.commit()

    def about_w1() -> list[str]:  # responses were inserted without codes: only these checks
        return [str(f) for f in run_audit(app)
                if "W1" in str(f) and ("publish" in str(f) or "layout" in str(f))]

    with app.app_context():
        wave_id = _closed_wave("W1", "2026-Q1", tree, DESIGN, 5, dt.date(2026, 1, 5),
                               np.random.default_rng(5))
    before = cells()
    assert about_w1() == []
    delete(PublishedCell)  # a database from before migration 0007
    assert any("W1: closed but not published" in f for f in about_w1())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["wave", "publish", str(wave_id)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["wave", "publish", str(wave_id)])
    assert again.exit_code != 0 and "never recomputed" in again.output
    assert cells() == before and about_w1() == []
    delete(PublishedCell, WaveUnit)
    assert any("W1: no frozen unit layout" in f for f in about_w1())
