"""Redaction of Indonesian personal data (services/redaction.py) on the corpus
tests/data/redaction_corpus.jsonl and on single rules. Figures: bench/README.md."""

from __future__ import annotations

import pytest

from bench.redaction import load_corpus, score
from survey_app.services.redaction import normalise, redact

NUMBERS = ("NIP", "NIK", "EMAIL", "TELEPON")
ROWS = load_corpus()
COUNTS = score(ROWS)


def test_corpus_is_large_and_covers_every_kind():
    assert len(ROWS) >= 120
    assert sum(not r["expected"] for r in ROWS) >= 40  # look-alikes that must stay
    for entity in (*NUMBERS, "NAMA"):
        assert COUNTS[entity].expected >= 8, entity
    for row in ROWS:
        assert normalise(row["text"]) == row["text"]  # offsets are those of redact's text
        for e in row["expected"]:
            assert row["text"][e["start"]:e["end"]] == e["text"]


@pytest.mark.parametrize("entity", NUMBERS)
def test_every_number_and_address_is_found(entity):
    counts = COUNTS[entity]
    assert counts.recall == 1.0, counts.misses


@pytest.mark.parametrize("entity", [*NUMBERS, "NAMA"])
def test_precision_is_high(entity):
    assert COUNTS[entity].precision >= 0.9, COUNTS[entity].false


def test_names_are_mostly_found():
    # The misses are the documented limits: a small-letter name after an honorific and a
    # name after a role, neither on the roster.
    assert COUNTS["NAMA"].recall >= 0.9, COUNTS["NAMA"].misses


def test_no_redacted_text_keeps_a_number_or_an_address():
    for row in ROWS:
        out = redact(row["text"], row["roster"])
        for e in row["expected"]:
            if e["entity"] in NUMBERS:
                assert e["text"] not in out, (e, out)


def test_look_alikes_stay_as_written():
    for text in ("Tunjangan Rp 1.500.000 per bulan sejak 12/08/2026.",
                 "Pak Camat dan Bu Lurah hadir; bapak-bapak dan ibu-ibu juga.",
                 "Kantor di Jl. Jenderal Sudirman No. 12, Kecamatan Plaju, tahun 2026.",
                 "Tiket 20260815-0042, surat 800/123/BKPSDM/2026.",
                 "Terima kasih Pak. Saya puas."):
        assert redact(text, ["Budi Santoso"]) == text


def test_placeholders_keep_the_honorific():
    assert redact("Pak Budi dan Bu Siti Aminah ramah.") == "Pak [NAMA] dan Bu [NAMA] ramah."
    assert redact("NIP 19850612 201001 1 003, HP +62 812-7788-9900, a.b@c.go.id") == \
        "NIP [NIP], HP [TELEPON], [EMAIL]"


def test_roster_names_are_whole_words_in_any_case():
    roster = ["Budi Santoso", "Bagus Prasetyo"]
    assert redact("santoso dan BUDI telat", roster) == "[NAMA] dan [NAMA] telat"
    assert redact("Budiman dan Santosa datang", roster) == "Budiman dan Santosa datang"
    # an everyday word of a roster name stays, the whole name goes
    assert redact("pelayanan bagus, Bagus Prasetyo juga", roster) == \
        "pelayanan bagus, [NAMA] juga"


def test_hidden_and_wide_characters_do_not_hide_a_number():
    assert redact("NIK １６７１０３１５０５９００００１") == "NIK [NIK]"
    assert redact("HP 0812\u200b7788\u200b9900") == "HP [TELEPON]"


def test_redacting_twice_changes_nothing_more():
    for row in ROWS:
        once = redact(row["text"], row["roster"])
        assert redact(once, row["roster"]) == once
