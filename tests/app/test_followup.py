"""Did it work? services.followup: the difference in differences of a targeted unit against
comparison units, from the published cells of two closed waves only; hidden cells are not
estimable; ancestors and descendants of a targeted unit are never its comparison; the unit
results page and the next unit report show it in words that claim no cause."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from scipy import optimize, stats

from analysis.did import MORE, NOT_ESTIMABLE, TREATED_HIDDEN
from reports.context import UnitReportContext
from reports.documents import render_unit_report
from reports.wording import signed
from survey_app.extensions import db
from survey_app.models import Answer, PublishedCell, Response, Wave, WaveUnit
from survey_app.services import close_wave, create_wave, issue_codes, open_wave
from survey_app.services import followup as followup_service
from survey_app.services.followup import NO_PREVIOUS_WAVE, followup_of
from survey_app.services.publication import analyse_culture_wave
from survey_app.services.reports import unit_job
from survey_app.services.users import create_user
from tests.reports.pdftext import pdf_text

from .conftest import CODE_KEY, add_units
from .test_reporting import _login
from .test_results import parse

PASSWORD = "correct horse battery"
KEY = "tready@1.0"
DIM = "RDD1"
ITEMS = ("RD11", "RD12", "RD21", "RD22")
# unit: (parent, respondents in wave 1, in wave 2, shift of wave 2 on the 1-5 answers)
UNITS: dict[str, tuple[str | None, int, int, float]] = {
    "A": ("ROOT", 10, 10, 1.2), "B": ("ROOT", 9, 9, 0.1), "C": ("ROOT", 12, 12, -0.2),
    "D": ("ROOT", 8, 8, 0.3), "E": ("ROOT", 11, 11, 0.0), "F": ("ROOT", 10, 10, 0.2),
    "P1": ("P", 9, 9, 0.4), "P2": ("P", 8, 8, -0.1), "H": ("ROOT", 7, 3, 0.0),
    "G": ("ROOT", 3, 9, 0.0)}


def _answers(wave: Wave, unit_id: int, n: int, rng: np.random.Generator, shift: float) -> None:
    rows, answers = [], []
    for _ in range(n):
        rid = uuid.uuid4()
        rows.append({"id": rid, "wave_id": wave.id, "unit_id": unit_id, "cut": None})
        for code in ITEMS:
            sign = -1 if code.endswith("2") else 1  # the second item of a dimension is reversed
            value = int(np.clip(round(3 + sign * shift + rng.normal(0, 0.9)), 1, 5))
            answers.append({"response_id": rid, "item_code": code, "value": value,
                            "points": 5})
    db.session.execute(sa.insert(Response), rows)
    db.session.execute(sa.insert(Answer), answers)


@pytest.fixture
def pair(app):  # type: ignore[no-untyped-def]
    """Two closed quarterly waves of tready over ROOT > (A..F, H, P > (P1, P2))."""
    rng = np.random.default_rng(15)
    with app.app_context():
        spec = [("ROOT", "Pemerintah Kota Uji", None, 0), ("P", "Dinas Induk", "ROOT", 0)]
        spec += [(c, f"Unit {c}", p, 14) for c, (p, *_rest) in UNITS.items()]
        units = add_units(spec)  # type: ignore[arg-type]
        ids = {}
        for q, opens in enumerate([dt.date(2026, 8, 3), dt.date(2026, 11, 2)]):
            wave = create_wave(name=f"Budaya 2026-Q{q + 3}", period=f"2026-Q{q + 3}",
                               instrument_keys=["tready"],
                               unit_ids=[units[c].id for c in UNITS], opens_on=opens,
                               closes_on=opens + dt.timedelta(days=18), k=5, actor="test")
            open_wave(wave, actor="test")
            for code, (_p, n1, n2, shift) in UNITS.items():
                issue_codes(wave, units[code], 14, key=CODE_KEY, actor="test")
                _answers(wave, units[code].id, n2 if q else n1, rng, shift if q else 0.0)
            close_wave(wave, actor="test")
            ids[wave.period] = wave.id
        create_user("admin", PASSWORD, "admin")
        db.session.commit()
        return {"waves": ids, "units": {c: u.id for c, u in units.items()}}


def _cells(wave_id: int) -> dict[int, PublishedCell]:
    """The published whole-unit cells of DIM by unit id."""
    rows = db.session.execute(
        sa.select(WaveUnit.unit_id, PublishedCell)
        .join(WaveUnit, sa.and_(WaveUnit.wave_id == PublishedCell.wave_id,
                                WaveUnit.position == PublishedCell.position))
        .where(PublishedCell.wave_id == wave_id, PublishedCell.instrument_key == KEY,
               PublishedCell.dimension == DIM, PublishedCell.cut == ""))
    return {u: c for u, c in rows}


STAFF = {"P": 28}  # codes issued per subtree: 14 per unit, P holds P1 and P2


def _change(before: PublishedCell, after: PublishedCell, staff: int | None
            ) -> tuple[float, float]:
    """A unit's change and its variance from its two published cells; with `staff`, each
    SE widened by what the finite-population correction took out (about the unit)."""
    z = stats.norm.ppf(0.975)

    def var(c: PublishedCell) -> float:
        se = (c.estimate100_ci_high - c.estimate100_ci_low) / (2 * z)
        if staff is None:
            return se ** 2
        sd100 = c.sd * 100 / 4  # 5-point items
        return se ** 2 + sd100 ** 2 / c.n * (1 - (staff - c.n) / (staff - 1))

    return after.estimate100 - before.estimate100, var(before) + var(after)


def _by_hand(pair: dict[str, Any], treated: str, comparison: list[str], about: str = "unit"
             ) -> tuple[float, float, float, float]:
    """The difference, its SE, the comparison change and tau^2 from the published rows:
    REML for tau^2 by a bounded search of the restricted likelihood (not Fisher scoring)."""
    before, after = _cells(pair["waves"]["2026-Q3"]), _cells(pair["waves"]["2026-Q4"])
    ids = pair["units"]

    def staff(code: str) -> int | None:
        return STAFF.get(code, 14) if about == "unit" else None

    y_t, v_t = _change(before[ids[treated]], after[ids[treated]], staff(treated))
    yv = np.array([_change(before[ids[c]], after[ids[c]], staff(c)) for c in comparison])
    y, v = yv[:, 0], yv[:, 1]

    def restricted(tau2: float) -> float:
        w = 1 / (v + tau2)
        mu = np.sum(w * y) / np.sum(w)
        return 0.5 * (np.sum(np.log(v + tau2)) + np.log(np.sum(w)) + np.sum(w * (y - mu) ** 2))

    tau2 = optimize.minimize_scalar(restricted, bounds=(0, 2000), method="bounded",
                                    options={"xatol": 1e-10}).x
    if restricted(0.0) <= restricted(tau2):
        tau2 = 0.0
    w = 1 / (v + tau2)
    b0 = float(np.sum(w * y) / np.sum(w))
    return y_t - b0, float(np.sqrt(v_t + tau2 + 1 / np.sum(w))), b0, float(tau2)


def _shown(pair: dict[str, Any], codes: list[str]) -> list[str]:
    before, after = _cells(pair["waves"]["2026-Q3"]), _cells(pair["waves"]["2026-Q4"])
    return [c for c in codes if before[pair["units"][c]].shown
            and after[pair["units"][c]].shown]


def test_difference_equals_a_hand_computation_from_the_published_cells(app, pair):
    ids = pair["units"]
    with app.app_context():
        wave = db.session.get(Wave, pair["waves"]["2026-Q4"])
        result = followup_of(ids["A"], wave, {(KEY, DIM): {ids["A"]}})
        # ROOT contains A: never its comparison; P, P1, P2 and the others are, where shown
        comparison = _shown(pair, ["B", "C", "D", "E", "F", "G", "H", "P", "P1", "P2"])
        diff, se, b0, tau2 = _by_hand(pair, "A", comparison)
    assert len(result) == 1
    f = result[0]
    assert (f.instrument_key, f.dimension, f.wave_before, f.wave_after) == (
        KEY, DIM, "2026-Q3", "2026-Q4")
    assert set(f.comparison_unit_ids) == {ids[c] for c in comparison}
    assert ids["ROOT"] not in f.comparison_unit_ids and ids["A"] not in f.comparison_unit_ids
    e = f.estimate
    assert e.n_comparison == len(comparison) >= 6
    assert e.difference == pytest.approx(diff, abs=1e-6)
    assert e.se == pytest.approx(se, abs=1e-6)
    assert e.comparison_change == pytest.approx(b0, abs=1e-6)
    assert e.between_var == pytest.approx(tau2, abs=1e-5)
    z = stats.norm.ppf(0.975)
    assert (e.ci_low, e.ci_high) == pytest.approx((diff - z * se, diff + z * se), abs=1e-6)
    assert e.verdict == MORE  # A's answers moved up 1.2 points on 1-5; the others' barely


def test_about_the_current_staff_uses_the_published_intervals_as_they_are(app, pair):
    ids = pair["units"]
    with app.app_context():
        wave = db.session.get(Wave, pair["waves"]["2026-Q4"])
        unit = followup_of(ids["A"], wave, {(KEY, DIM): {ids["A"]}})[0].estimate
        staff = followup_of(ids["A"], wave, {(KEY, DIM): {ids["A"]}},
                            about="current_staff")[0].estimate
        comparison = _shown(pair, ["B", "C", "D", "E", "F", "G", "H", "P", "P1", "P2"])
        diff, se, _b0, _tau2 = _by_hand(pair, "A", comparison, about="current_staff")
    assert staff.difference == pytest.approx(diff, abs=1e-6)
    assert staff.se == pytest.approx(se, abs=1e-6)
    assert staff.treated_se < unit.treated_se  # 10 of 14 answered: the unit is wider


def test_ancestors_and_descendants_of_the_targeted_unit_are_not_compared(app, pair):
    ids = pair["units"]
    with app.app_context():
        wave = db.session.get(Wave, pair["waves"]["2026-Q4"])
        child = followup_of(ids["P1"], wave, {(KEY, DIM): {ids["P1"]}})[0]
        parent = followup_of(ids["P"], wave, {(KEY, DIM): {ids["P"]}})[0]
        comparison = _shown(pair, ["A", "B", "C", "D", "E", "F", "G", "H", "P2"])
        diff, se, _b0, _tau2 = _by_hand(pair, "P1", comparison)
    assert not {ids["P"], ids["ROOT"]} & set(child.comparison_unit_ids)
    assert ids["P2"] in child.comparison_unit_ids  # a sibling is not a relative
    assert child.estimate.difference == pytest.approx(diff, abs=1e-6)
    assert child.estimate.se == pytest.approx(se, abs=1e-6)
    assert not {ids["P1"], ids["P2"], ids["ROOT"]} & set(parent.comparison_unit_ids)


def test_units_related_to_another_targeted_unit_are_left_out_too(app, pair):
    """With A and P1 targeted, P (which contains P1) is neither A's comparison nor P1's."""
    ids = pair["units"]
    with app.app_context():
        wave = db.session.get(Wave, pair["waves"]["2026-Q4"])
        f = followup_of(ids["A"], wave, {(KEY, DIM): {ids["A"], ids["P1"]}})[0]
    assert not {ids["P"], ids["P1"], ids["ROOT"]} & set(f.comparison_unit_ids)
    assert ids["P2"] in f.comparison_unit_ids


def test_a_unit_hidden_in_the_later_wave_is_not_estimable(app, pair):
    ids = pair["units"]
    with app.app_context():
        wave = db.session.get(Wave, pair["waves"]["2026-Q4"])
        assert not _cells(wave.id)[ids["H"]].shown  # 3 answers < k = 5
        f = followup_of(ids["H"], wave, {(KEY, DIM): {ids["H"]}})[0]
        other = followup_of(ids["B"], wave, {(KEY, DIM): {ids["B"]}})[0]
    assert (f.estimate.verdict, f.estimate.reason) == (NOT_ESTIMABLE, TREATED_HIDDEN)
    assert np.isnan(f.estimate.difference) and f.comparison_unit_ids == ()
    assert ids["H"] not in other.comparison_unit_ids  # nor a comparison unit


def test_no_earlier_wave_and_untargeted_units(app, pair):
    ids = pair["units"]
    with app.app_context():
        first = db.session.get(Wave, pair["waves"]["2026-Q3"])
        f = followup_of(ids["A"], first, {(KEY, DIM): {ids["A"]}})[0]
        second = db.session.get(Wave, pair["waves"]["2026-Q4"])
        assert followup_of(ids["B"], second, {(KEY, DIM): {ids["A"]}}) == []
        assert followup_of(ids["A"], second, {}) == []
        assert followup_of(ids["A"], second, {("other@1.0", DIM): {ids["A"]}}) == []
    assert (f.estimate.verdict, f.estimate.reason, f.wave_before) == (
        NOT_ESTIMABLE, NO_PREVIOUS_WAVE, "")


def test_reads_no_answers(app, pair):
    """The follow-up reads the published cells and frozen layouts only (as the results
    pages, it never analyses): no statement touches the response or answer tables."""
    ids = pair["units"]
    seen: list[str] = []

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement.lower())

    with app.app_context():
        wave = db.session.get(Wave, pair["waves"]["2026-Q4"])
        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            result = followup_of(ids["A"], wave, {(KEY, DIM): {ids["A"]}})
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
    assert result[0].estimate.estimable and seen
    assert any("published_cell" in s for s in seen)
    assert not [s for s in seen if " answer" in s or " response" in s]


def test_treated_dimensions_are_the_trainings_recorded_against_plan_actions(app, pair):
    """Only a training against a plan action on the dimension, held after the earlier wave
    closed and before the later one opened, makes a unit targeted."""
    from survey_app.models import DevelopmentPlan, PlanAction, TrainingEvent

    ids = pair["units"]
    with app.app_context():
        wave = db.session.get(Wave, pair["waves"]["2026-Q4"])
        previous = followup_service.previous_culture_wave(wave)
        assert previous is not None and previous.period == "2026-Q3"
        assert followup_service.treated_dimensions(previous, wave) == {}
        key = previous.instrument_keys[0]
        plans = {}
        for code in ("A", "B", "C"):
            plan = DevelopmentPlan(unit_id=ids[code], year=2026, wave_id=previous.id)
            plan.actions = [PlanAction(title="Pelatihan", instrument_key=key, dimension=DIM,
                                       path="klasikal", start_month=9, end_month=10,
                                       hours_jp=8)]
            db.session.add(plan)
            plans[code] = plan
        db.session.flush()
        for code, held in (("A", previous.closes_on + dt.timedelta(days=10)),  # between
                           ("B", wave.opens_on),  # the later wave already open
                           ("C", previous.closes_on)):  # the earlier wave's last day
            db.session.add(TrainingEvent(unit_id=ids[code], held_on=held, title="Pelatihan",
                                         hours_jp=8, plan_action_id=plans[code].actions[0].id))
        db.session.add(TrainingEvent(unit_id=ids["D"], held_on=previous.closes_on
                                     + dt.timedelta(days=5), title="Tanpa rencana", hours_jp=8))
        db.session.flush()
        assert followup_service.treated_dimensions(previous, wave) == {(key, DIM): {ids["A"]}}
        assert followup_service.treated_dimensions(None, wave) == {}
        db.session.rollback()


def _treat(monkeypatch, mapping):  # type: ignore[no-untyped-def]
    """The seam: the plan actions' mapping replaced for a test."""
    monkeypatch.setattr(followup_service, "treated_dimensions", lambda before, after: mapping)


def test_unit_page_shows_the_followup_with_its_numbers(app, client, pair, monkeypatch):
    ids = pair["units"]
    wave_id = pair["waves"]["2026-Q4"]
    _treat(monkeypatch, {(KEY, DIM): {ids["A"]}})
    with app.app_context():
        e = followup_of(ids["A"], db.session.get(Wave, wave_id), {(KEY, DIM): {ids["A"]}}
                        )[0].estimate
    _login(client, "admin")
    html = client.get(f"/hr/hasil/{wave_id}/unit/{ids['A']}").get_data(as_text=True)
    section = parse(html).find("section", **{"aria-labelledby": "berhasil"})[0]
    assert "Apakah berhasil?" in section.text and "sejak 2026-Q3" in section.text
    row = section.find("tr", **{"data-verdict": MORE})[0]
    cells = [c.text for c in row.children]
    assert cells[0].startswith("Dimensi 1")
    assert cells[1:5] == [signed(e.treated_change, "id"), signed(e.comparison_change, "id"),
                          f"{signed(e.difference, 'id')} ({signed(e.ci_low, 'id')} sampai "
                          f"{signed(e.ci_high, 'id')})", str(e.n_comparison)]
    assert e.difference > 10 and cells[1].startswith("+")
    assert ("naik lebih banyak (atau turun lebih sedikit) daripada unit pembanding" in cells[5])
    assert "belum membuktikan bahwa pelatihan atau tindakan pengembangan itu penyebabnya" \
        in cells[5]
    assert "berkat pelatihan" not in html and "karena pelatihan" not in html
    chart = section.find("img")
    assert len(chart) == 1 and chart[0].attrs["src"].startswith("data:image/svg+xml;base64,")
    assert "tabel berikut" in chart[0].attrs["alt"]
    english = client.get(f"/hr/hasil/{wave_id}/unit/{ids['A']}?lang=en").get_data(as_text=True)
    section = parse(english).find("section", **{"aria-labelledby": "berhasil"})[0]
    assert "Did it work?" in section.text and "This unit's change" in section.text
    assert ("This unit's score rose more (or fell less) than the comparison units': a "
            f"difference of {signed(e.difference, 'en')} points") in section.text
    assert "This does not prove that the training or development action caused it" \
        in section.text


def test_unit_page_without_targeted_dimensions_says_so(app, client, pair, monkeypatch):
    ids = pair["units"]
    _login(client, "admin")
    html = client.get(f"/hr/hasil/{pair['waves']['2026-Q4']}/unit/{ids['A']}").get_data(
        as_text=True)
    assert "Belum ada tindakan pengembangan yang tercatat menyasar dimensi tertentu dari " \
           "unit ini sejak 2026-Q3" in html
    first = client.get(f"/hr/hasil/{pair['waves']['2026-Q3']}/unit/{ids['A']}").get_data(
        as_text=True)
    assert "Belum ada gelombang sebelumnya yang ditutup" in first


def test_unit_page_of_a_unit_hidden_before_says_it_cannot_be_computed(app, client, pair,
                                                                      monkeypatch):
    """G had 3 answers in 2026-Q3 (hidden) and 9 in 2026-Q4: its row says why there is no
    difference; H, hidden in 2026-Q4, shows no figure and so no follow-up at all."""
    ids = pair["units"]
    _treat(monkeypatch, {(KEY, DIM): {ids["G"], ids["H"]}})
    _login(client, "admin")
    wave_id = pair["waves"]["2026-Q4"]
    html = client.get(f"/hr/hasil/{wave_id}/unit/{ids['G']}").get_data(as_text=True)
    section = parse(html).find("section", **{"aria-labelledby": "berhasil"})[0]
    row = section.find("tr", **{"data-verdict": NOT_ESTIMABLE})[0]
    assert "Tidak dapat dihitung: hasil unit ini untuk dimensi ini tidak ditampilkan" in row.text
    cells = [c.text for c in row.children]
    assert cells[2:4] == ["–", "–"] and cells[1] == "–"
    assert section.find("img") == []  # nothing to draw
    hidden = client.get(f"/hr/hasil/{wave_id}/unit/{ids['H']}").get_data(as_text=True)
    assert "Apakah berhasil?" not in hidden and 'id="tersembunyi"' in hidden


def test_next_unit_report_prints_the_followup(app, pair, monkeypatch):
    """The 2026-Q4 report of A (targeted before it) carries the section in both languages;
    the report of an untargeted unit has none."""
    ids = pair["units"]
    _treat(monkeypatch, {(KEY, DIM): {ids["A"]}})
    with app.app_context():
        wave = db.session.get(Wave, pair["waves"]["2026-Q4"])
        e = followup_of(ids["A"], wave, {(KEY, DIM): {ids["A"]}})[0].estimate
        bundle = analyse_culture_wave(wave)
        a = [u.unit_id for u in bundle.units].index(ids["A"])
        job = unit_job(bundle, a, "id")
        other = unit_job(bundle, [u.unit_id for u in bundle.units].index(ids["B"]), "id")
    assert isinstance(job.context, UnitReportContext)
    assert isinstance(other.context, UnitReportContext) and other.context.followup == ()
    text = " ".join(pdf_text(render_unit_report(job.context, "id")).split())
    assert "Apakah berhasil?" in text
    assert (f"Skor unit ini naik lebih banyak (atau turun lebih sedikit) daripada unit "
            f"pembanding: selisih {signed(e.difference, 'id')} poin (rentang 95%: "
            f"{signed(e.ci_low, 'id')} sampai {signed(e.ci_high, 'id')}). Ini belum "
            f"membuktikan bahwa pelatihan atau tindakan pengembangan itu penyebabnya") in text
    assert "berkat pelatihan" not in text and "karena pelatihan" not in text
    english = " ".join(pdf_text(render_unit_report(job.context, "en")).split())
    assert "Did it work?" in english
    assert "This does not prove that the training or development action caused it" in english
