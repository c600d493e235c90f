"""`flask demo` builds the organisation, four quarterly waves, SKM and the try-out wave."""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa

from survey_app.cli.demo import QUARTERS, TRAINING, UNITS, draw_organisation
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
        stored = [wave_dataset(w.id, "tready").values for w in waves[:4]]
        instruments = [app.config["LENTERA_INSTRUMENTS"][k] for k in ("tready", "tlearn")]
    _, drawn = draw_organisation(instruments)
    # The database holds the generator's answers (rows in random-id order).
    for values, sample in zip(stored, drawn, strict=True):
        expected = sample.values[:, :values.shape[1]]
        assert values.shape == expected.shape
        assert np.array_equal(np.sort(values, axis=0), np.sort(expected, axis=0))
    assert not np.isnan(np.vstack(stored)).any()  # the form requires every answer
    code = out.read_text().splitlines()[1].split(",")[0]
    answers = {"RD11": "4", "RD12": "2", "RD21": "5", "RD22": "1", "LC11": "6", "LC12": "3",
               "LC13": "1"}
    assert submit(app.test_client(), code, answers).status_code == 200
    again = app.test_cli_runner().invoke(args=["demo", "--instruments", "tready", "--no-skm"])
    assert again.exit_code != 0 and "not empty" in again.output


def test_synthetic_answers_stay_in_range_on_every_scale():
    _, drawn = draw_organisation([TEST_INSTRUMENTS[k] for k in ("tready", "tlearn")])
    values = np.vstack([w.values for w in drawn])
    ready, learn = values[:, :4], values[:, 4:]
    for block, points in ((ready, 5), (learn, 6)):
        answered = block[~np.isnan(block)]
        assert set(np.unique(answered)) == set(range(1, points + 1))


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
    assert len(log) == len(TRAINING) and [e[2] for e in log] == sorted(e[2] for e in log)
    assert [e[0] for e in own] == ["PLJ-PEL"]
