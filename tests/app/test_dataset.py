"""wave_dataset: the database -> analysis.wave.WaveData bridge."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.wave import analyse_wave, validate_wave
from survey_app.services import wave_dataset

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

