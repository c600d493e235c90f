"""`flask demo` builds the organisation, four quarterly waves with drift, SKM and try-out."""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa

from survey_app.demo import QUARTERS, UNITS, Effects, draw_answers
from survey_app.extensions import db
from survey_app.models import Code, Response, TrainingEvent, Unit, Wave
from survey_app.services import wave_dataset

from .conftest import TEST_INSTRUMENTS
from .helpers import submit


def test_demo_command_builds_everything_and_the_tryout_codes_work(app, tmp_path, backend):
    out = tmp_path / "codes.csv"
    result = app.test_cli_runner().invoke(args=[
        "demo", "--instruments", "tready,tlearn", "--no-skm", "--codes-out", str(out)])
    assert result.exit_code == 0, result.output
    assert "password:" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == len(UNITS)
        waves = list(db.session.scalars(sa.select(Wave).order_by(Wave.opens_on)))
        assert [w.period for w in waves] == [q[0] for q in QUARTERS] + ["2026-12"]
        assert [w.state for w in waves] == ["closed"] * 4 + ["open"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingEvent)) == 6
        n = db.session.scalar(sa.select(sa.func.count()).select_from(Response))
        # Closing deleted the closed waves' code rows; only the try-out wave's codes remain.
        assert set(db.session.scalars(sa.select(Code.wave_id).distinct())) == {waves[4].id}
        assert not db.session.scalar(sa.select(sa.func.count()).select_from(Code)
                                     .where(Code.used.is_(True)))
        staff = sum(u[3] for u in UNITS)
        assert 0.55 * 4 * staff < n < 0.92 * 4 * staff
        first, last = (wave_dataset(waves[i].id, "tlearn") for i in (0, 3))
    assert first.values.shape[1] == 3 and not np.isnan(first.values).any()
    assert np.nanmean(last.values[:, 0]) > np.nanmean(first.values[:, 0])  # drift upwards
    code = out.read_text().splitlines()[1].split(",")[0]
    answers = {"RD11": "4", "RD12": "2", "RD21": "5", "RD22": "1", "LC11": "6", "LC12": "3",
               "LC13": "1"}
    assert submit(app.test_client(), code, answers).status_code == 200
    again = app.test_cli_runner().invoke(args=["demo", "--instruments", "tready", "--no-skm"])
    assert again.exit_code != 0 and "not empty" in again.output


def test_synthetic_answers_stay_in_range_and_follow_unit_effects():
    rng = np.random.default_rng(1)
    inst = TEST_INSTRUMENTS["tlearn"]
    good = draw_answers(rng, inst, 400, Effects(0.4, 0.0, 0, False))
    bad = draw_answers(rng, inst, 400, Effects(-0.4, 0.0, 0, False))
    values = np.array([[r[c] for c in ("LC11", "LC13")] for r in good + bad])
    assert values.min() >= 1 and values.max() <= 6
    assert np.mean([r["LC11"] for r in good]) - np.mean([r["LC11"] for r in bad]) > 0.5


def test_demo_series_and_training_log_for_reports(app, tmp_path):
    from survey_app.services import closed_waves, training_log

    result = app.test_cli_runner().invoke(args=[
        "demo", "--instruments", "tready,tlearn", "--no-skm", "--codes-out",
        str(tmp_path / "c.csv")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        series = closed_waves("tlearn")
        log = training_log()
        kec = {u.id for u in db.session.scalars(sa.select(Unit).where(Unit.code == "PLJ-PEL"))}
        own = training_log(kec)
    assert [w.period for w in series] == [q[0] for q in QUARTERS]
    assert len(log) == 6 and [e[2] for e in log] == sorted(e[2] for e in log)
    assert [e[0] for e in own] == ["PLJ-PEL"]
