"""Participation codes: entropy, typing tolerance, keyed hashing."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_app.codes import (
    ALPHABET,
    LENGTH,
    CodeFormatError,
    format_code,
    generate_code,
    hash_code,
    normalise_code,
)


def test_codes_carry_at_least_50_bits_and_avoid_look_alikes():
    assert LENGTH * math.log2(len(set(ALPHABET))) >= 50
    assert not set("01OIL") & set(ALPHABET)
    code = generate_code()
    assert len(code) == 14 and code[4] == code[9] == "-"


def test_generated_symbols_are_roughly_uniform():
    counts = Counter("".join(generate_code().replace("-", "") for _ in range(3000)))
    expected = 3000 * LENGTH / len(ALPHABET)
    assert set(counts) == set(ALPHABET)
    assert all(abs(c - expected) < 0.2 * expected for c in counts.values())


@given(raw=st.text(alphabet=ALPHABET, min_size=LENGTH, max_size=LENGTH),
       lower=st.lists(st.booleans(), min_size=LENGTH, max_size=LENGTH),
       sep=st.sampled_from(["-", " ", "", "  ", "\u2013", "."]))
def test_typed_variants_normalise_to_the_same_code(raw, lower, sep):
    typed = "".join(ch.lower() if low else ch for ch, low in zip(raw, lower, strict=True))
    typed = sep.join(typed[i:i + 4] for i in range(0, LENGTH, 4))
    assert normalise_code(" " + typed + " ") == raw
    assert normalise_code(format_code(raw)) == raw


@pytest.mark.parametrize("text", ["", "ABCD-EFGH-JKM", "ABCD-EFGH-JKMNP", "ABCD-EFGH-JK0N",
                                  "ABCD-EFGH-JKIN", "ABCD-EFGH-JK1N", "ABCD-EFGH-JKM?"])
def test_impossible_codes_are_refused(text):
    with pytest.raises(CodeFormatError):
        normalise_code(text)


def test_hash_depends_on_the_key_and_is_not_the_code():
    raw = normalise_code(generate_code())
    assert hash_code(raw, "k1") != hash_code(raw, "k2")
    assert hash_code(raw, "k1") == hash_code(raw, b"k1")
    assert raw.encode() not in hash_code(raw, "k1") and len(hash_code(raw, "k1")) == 32
