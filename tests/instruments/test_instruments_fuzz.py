"""Whatever an author gets wrong, the loader answers with InstrumentError, never a crash."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from instrument_samples import MINIMAL, skm_text

from instruments import Instrument, InstrumentError, load_instrument_file

# Values of every TOML type, to put where another type is expected.
VALUES = ['"x"', '""', "0", "7", "-1", "3.5", "true", "false", "[]", '["a", "b"]', "[1, 2]",
          "{}", '{ id = "a", en = "b" }', '{ id = "a" }', "1979-05-27"]


def edits():
    """Delete a line, or give a `key = value` line another value."""
    delete = st.tuples(st.just("delete"), st.integers(0, 200), st.just(""))
    replace = st.tuples(st.just("replace"), st.integers(0, 200), st.sampled_from(VALUES))
    return st.lists(st.one_of(delete, replace), min_size=1, max_size=3)


def apply(text, changes):
    lines = text.splitlines()
    for action, index, value in changes:
        i = index % len(lines)
        if action == "delete":
            del lines[i]
        elif "=" in lines[i]:
            lines[i] = lines[i].split("=", 1)[0] + "= " + value
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from(["demo", "skm"]), changes=edits())
def test_any_broken_file_gives_instrument_error_or_loads(base, changes):
    text = apply(MINIMAL if base == "demo" else skm_text(), changes)
    name = "demo-1.0.toml" if base == "demo" else "skmdemo-1.0.toml"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8")
        try:
            instrument = load_instrument_file(path)
        except InstrumentError as error:
            assert error.message("en").startswith(f"{path}: ")
            assert error.message("id").startswith(f"{path}: ")
        else:
            assert isinstance(instrument, Instrument)
            assert instrument.items
