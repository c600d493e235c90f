"""The four shipped instruments: they load, and they say what the brief and the design say."""

import dataclasses
import re

import pytest

from instruments import (
    SHIPPED_DIR,
    Direction,
    Referent,
    list_instruments,
    load_instrument,
)

SHIPPED = ("learning", "readiness", "resistance", "skm")
CULTURE = ("resistance", "readiness", "learning")
NEGATIONS = {"tidak", "bukan", "belum", "tanpa", "jangan", "tak"}


def words(text):
    """Lower-case words of an Indonesian text."""
    return re.findall(r"[a-z]+", text.lower())


@pytest.fixture(scope="module")
def shipped():
    return {i.id: i for i in list_instruments()}


def test_every_shipped_file_loads(shipped):
    assert sorted(p.name for p in SHIPPED_DIR.glob("*.toml")) == [
        f"{name}-1.0.toml" for name in SHIPPED]
    assert sorted(i.key for i in shipped.values()) == [f"{name}@1.0" for name in SHIPPED]


@pytest.mark.parametrize("name", SHIPPED)
def test_load_instrument_returns_newest_and_pinned_version(name):
    newest = load_instrument(name)
    assert newest.version == "1.0"
    assert load_instrument(name, "1.0") == newest
    assert newest.source == str(SHIPPED_DIR / f"{name}-1.0.toml")


def test_kinds(shipped):
    assert {k: i.kind for k, i in shipped.items()} == {
        "resistance": "culture", "readiness": "culture", "learning": "culture", "skm": "skm"}


def test_resistance_facts(shipped):
    scale, = shipped["resistance"].scales
    assert (scale.points, scale.referent, scale.direction) == (
        6, Referent.INDIVIDUAL, Direction.HIGHER_WORSE)
    assert [d.name.en for d in scale.dimensions] == [
        "Routine seeking", "Emotional reaction", "Short-term focus", "Cognitive rigidity"]
    assert all(4 <= len(d.items) <= 5 for d in scale.dimensions)
    reversed_per_dim = [sum(i.reverse for i in d.items) for d in scale.dimensions]
    # Some items reverse-keyed in every facet, but never most of a facet.
    assert all(1 <= n < len(d.items) / 2 + 1 for n, d in zip(reversed_per_dim, scale.dimensions,
                                                              strict=True))


def test_readiness_facts(shipped):
    scale, = shipped["readiness"].scales
    assert (scale.points, scale.referent, scale.direction) == (
        5, Referent.COLLECTIVE, Direction.HIGHER_BETTER)
    assert [d.name.en for d in scale.dimensions] == ["Change commitment", "Change efficacy"]
    assert [len(d.items) for d in scale.dimensions] == [5, 7]


def test_learning_facts(shipped):
    scale, = shipped["learning"].scales
    assert (scale.points, scale.referent, scale.direction) == (
        6, Referent.COLLECTIVE, Direction.HIGHER_BETTER)
    assert [d.name.en for d in scale.dimensions] == [
        "Continuous learning", "Inquiry and dialogue", "Team learning",
        "Systems to capture and share learning", "Empowerment toward a collective vision",
        "Connection to the environment", "Strategic leadership for learning"]
    assert [len(d.items) for d in scale.dimensions] == [3] * 7
    assert [o.label.en for o in scale.options] == [
        "Almost never", "Rarely", "Sometimes", "Fairly often", "Often", "Almost always"]


def test_skm_facts(shipped):
    skm = shipped["skm"]
    scale, = skm.scales
    assert [i.code for i in skm.items] == [f"U{n}" for n in range(1, 10)]
    assert [d.name.id for d in scale.dimensions] == [
        "Persyaratan", "Sistem, mekanisme dan prosedur", "Waktu penyelesaian", "Biaya/tarif",
        "Produk spesifikasi jenis pelayanan", "Kompetensi pelaksana", "Perilaku pelaksana",
        "Penanganan pengaduan, saran dan masukan", "Sarana dan prasarana"]
    assert (scale.points, scale.reversible, scale.direction) == (4, False, Direction.HIGHER_BETTER)
    assert not any(i.reverse for i in skm.items)
    assert [o.label.id for o in scale.options] == [
        "Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"]
    biaya = skm.items[3]
    assert [o.label.id for o in scale.options_for(biaya)] == [
        "Sangat mahal", "Cukup mahal", "Murah", "Gratis"]
    assert [o.value for o in scale.options_for(biaya)] == [1, 2, 3, 4]
    assert scale.options_for(skm.items[0]) == scale.options  # U1 uses the regulation default
    assert "Nomor 14 Tahun 2017" in skm.citation
    assert "Pasal 42" in skm.licence.id and "UU No. 28 Tahun 2014" in skm.licence.id


def test_skm_respondent_questions_are_coarse_and_optional(shipped):
    questions = shipped["skm"].respondent_questions
    assert [q.code for q in questions] == ["SKM-AGE", "SKM-SEX", "SKM-EDU", "SKM-JOB"]
    assert all(2 <= len(q.choices) <= 6 for q in questions)
    assert "boleh tidak dijawab" in shipped["skm"].intro.id


def test_item_and_dimension_codes_are_unique_across_all_instruments(shipped):
    items = [i.code for inst in shipped.values() for i in inst.items]
    questions = [q.code for inst in shipped.values() for q in inst.respondent_questions]
    dims = [d.code for inst in shipped.values() for d in inst.dimensions]
    assert len(set(items + questions)) == len(items + questions) == 17 + 12 + 21 + 9 + 4
    assert len(set(dims)) == len(dims) == 4 + 2 + 7 + 9


@pytest.mark.parametrize(("name", "prefix"), [("resistance", "RC-"), ("readiness", "RD-"),
                                              ("learning", "LC-")])
def test_culture_item_codes_carry_their_dimension(shipped, name, prefix):
    for dim in shipped[name].dimensions:
        assert dim.code.startswith(prefix)
        assert [i.code for i in dim.items] == [f"{dim.code}{n}" for n in
                                               range(1, len(dim.items) + 1)]


@pytest.mark.parametrize("name", SHIPPED)
def test_every_dimension_lists_two_to_four_actions_in_both_languages(shipped, name):
    for dim in shipped[name].dimensions:
        assert 2 <= len(dim.actions) <= 4, dim.code
        assert {a.kind for a in dim.actions} <= {"training", "elearning", "coaching", "other"}
        for action in dim.actions:
            assert action.text.id != action.text.en  # translated, not copied


@pytest.mark.parametrize("name", CULTURE)
def test_every_culture_dimension_recommends_training_elearning_or_coaching(shipped, name):
    for dim in shipped[name].dimensions:
        assert {a.kind for a in dim.actions} & {"training", "elearning", "coaching"}, dim.code


@pytest.mark.parametrize("name", SHIPPED)
def test_every_text_is_translated(shipped, name):
    inst = shipped[name]
    texts = [inst.title, inst.intro, inst.licence]
    for scale in inst.scales:
        texts += [scale.name, *(d.name for d in scale.dimensions),
                  *(d.description for d in scale.dimensions), *(i.text for i in scale.items)]
    for text in texts:
        assert text.id and text.en and text.id != text.en


def test_referent_is_consistent_within_each_scale(shipped):
    for item in shipped["resistance"].items:
        assert "saya" in words(item.text.id), item.code
        assert "kami" not in words(item.text.id), item.code
    for name in ("readiness", "learning"):
        for item in shipped[name].items:
            assert "kami" in words(item.text.id), item.code
            assert "saya" not in words(item.text.id), item.code


@pytest.mark.parametrize("name", CULTURE)
def test_culture_items_are_short_single_sentences_without_double_negatives(shipped, name):
    for item in shipped[name].items:
        text = item.text.id
        assert text.endswith(".") and text.count(".") == 1 and ";" not in text, item.code
        assert len(words(text)) <= 15, item.code
        negations = [w for w in words(text) if w in NEGATIONS]
        assert len(negations) <= 1, item.code
        if item.reverse:
            # Disagreeing with a negated reverse-keyed item is a double negative.
            assert not negations, item.code


def test_instruments_are_frozen_with_tuples(shipped):
    inst = shipped["resistance"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        inst.version = "2.0"
    assert isinstance(inst.scales, tuple)
    assert isinstance(inst.scales[0].dimensions[0].items, tuple)
    assert isinstance(inst.scales[0].dimensions[0].actions, tuple)
    assert isinstance(inst.scales[0].options, tuple)
    hash(inst)  # frozen all the way down: usable as a cache key


def test_scale_of_finds_the_items_scale(shipped):
    inst = shipped["readiness"]
    assert inst.scale_of("RD-CE3").code == "RD"
    with pytest.raises(KeyError):
        inst.scale_of("RC-RS1")


@pytest.mark.parametrize("name", SHIPPED)
def test_option_values_run_from_one_to_a(shipped, name):
    for scale in shipped[name].scales:
        assert [o.value for o in scale.options] == list(range(1, scale.points + 1))
        for item in scale.items:
            assert [o.value for o in scale.options_for(item)] == list(range(1, scale.points + 1))
