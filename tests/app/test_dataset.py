"""wave_dataset: the database -> analysis.wave.WaveData bridge."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.wave import analyse_wave, validate_wave
from survey_app.services import wave_dataset, wave_datasets

from .conftest import FULL_ANSWERS
from .helpers import submit


def _answers(shift: int) -> dict[str, str]:
    return {k: str(max(1, min(5, int(v) + shift))) for k, v in FULL_ANSWERS.items()}


def test_wave_dataset_matches_what_was_submitted(app, open_wave_codes):
    client = app.test_client()
    sent = []
    for i, code in enumerate(open_wave_codes["codes"]["A"][:4] +
                             open_wave_codes["codes"]["B"][:3]):
        answers = _answers(i % 3 - 1)
        cut = ["struktural", "fungsional", ""][i % 3]
        assert submit(client, code, answers, cut=cut).status_code == 200
        sent.append((code in open_wave_codes["codes"]["B"], cut, answers))
    with app.app_context():
        ds = wave_dataset(open_wave_codes["wave_id"], "tready")
        validate_wave(ds.data)
        units = [u.code for u in ds.units]
    assert units == ["A", "B"]
    assert [i.code for i in ds.items] == ["RD11", "RD12", "RD21", "RD22"]
    assert ds.data.item_dimension.tolist() == [0, 0, 1, 1]
    assert ds.data.item_reverse.tolist() == [False, True, False, True]
    assert ds.data.dimension_points.tolist() == [5, 5]
    assert ds.data.dimension_collective.tolist() == [True, True]
    assert ds.data.unit_parent.tolist() == [-1, -1]  # the root is not part of the wave
    assert ds.cut_labels == ("struktural", "fungsional") and ds.data.n_cut_categories == 2
    got = sorted((int(u), int(c), tuple(v)) for u, c, v in
                 zip(ds.data.unit, ds.data.cut, ds.values, strict=True))
    want = sorted((int(b), ["struktural", "fungsional", ""].index(c) if c else -1,
                   tuple(float(a[k]) for k in ("RD11", "RD12", "RD21", "RD22")))
                  for b, c, a in sent)
    assert got == want


def test_wave_dataset_feeds_analyse_wave(app, open_wave_codes):
    client = app.test_client()
    for i, code in enumerate(open_wave_codes["codes"]["A"] + open_wave_codes["codes"]["B"]):
        assert submit(client, code, _answers(i % 3 - 1)).status_code == 200
    with app.app_context():
        ds = wave_dataset(open_wave_codes["wave_id"], "tlearn@1.0")
    result = analyse_wave(ds.data, k=ds.k)
    assert ds.values.shape == (12, 3)
    assert result is not None
    assert np.isfinite(ds.values).all()


def test_wave_dataset_refuses_an_instrument_the_wave_does_not_have(app, open_wave_codes):
    with app.app_context(), pytest.raises(LookupError, match="no instrument"):
        wave_dataset(open_wave_codes["wave_id"], "tskm")
    with app.app_context(), pytest.raises(LookupError, match="no wave"):
        wave_dataset(999, "tready")



def test_one_read_of_a_wave_gives_every_instrument_as_its_own_read_would(app, open_wave_codes):
    client = app.test_client()
    for i, code in enumerate(open_wave_codes["codes"]["A"] + open_wave_codes["codes"]["B"]):
        assert submit(client, code, _answers(i % 3 - 1)).status_code == 200
    with app.app_context():
        both = wave_datasets(open_wave_codes["wave_id"], ["tready", "tlearn@1.0"])
        alone = {k: wave_dataset(open_wave_codes["wave_id"], k) for k in both}
    assert list(both) == ["tready", "tlearn@1.0"]
    for key, ds in both.items():
        np.testing.assert_array_equal(ds.values, alone[key].values)
        np.testing.assert_array_equal(ds.data.unit, alone[key].data.unit)
        assert [i.code for i in ds.items] == [i.code for i in alone[key].items]
    assert both["tready"].values.shape == (12, 4) and both["tlearn@1.0"].values.shape == (12, 3)
    # the same respondent is the same row in every instrument (rows by random id)
    want = {tuple(r) for r in np.column_stack([alone["tready"].values,
                                               alone["tlearn@1.0"].values])}
    assert {tuple(r) for r in np.column_stack([both["tready"].values,
                                               both["tlearn@1.0"].values])} == want
