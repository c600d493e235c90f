"""Random small and degenerate inputs: results or reasons, never an exception or a warning."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import reliability
from analysis.wave import analyse_wave
from tests.analysis.synth import synthetic_wave


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(0, 12), st.integers(1, 5), st.floats(0, 0.6), st.integers(0, 2**32 - 1),
       st.sampled_from(["listwise", "pairwise"]))
def test_alpha_never_raises(n, k, missing, seed, policy):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 4, (n, k)).astype(float)
    x[rng.random(x.shape) < missing] = np.nan
    r = reliability.cronbach_alpha(x, missing=policy)
    assert r.computable == (r.reason is None)
    assert r.computable or np.isnan(r.alpha)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.integers(0, 60), st.integers(1, 8), st.floats(0, 0.5), st.integers(0, 2**32 - 1))
def test_wave_never_raises(n, n_units, missing, seed):
    rng = np.random.default_rng(seed)
    now = synthetic_wave(rng, n, n_units, missing=missing)
    prev = synthetic_wave(rng, max(n // 2, 0), n_units, missing=missing, parent=now.unit_parent)
    res = analyse_wave(now, k=3, previous=prev)
    assert (res.respondents[res.shown] >= 3).all()
    assert res.scores.shape == (n, now.n_dimensions)
