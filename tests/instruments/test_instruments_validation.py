"""Broken files: one test per validation rule, each asserting the exact message."""

from pathlib import Path

import pytest
from instrument_samples import MINIMAL, mutate, skm_text

from instruments import Instrument, InstrumentError, load_instrument_file

# (test id, text to replace in MINIMAL, replacement, expected English message after "file: ")
CASES = [
    ("toml-syntax", "points = 3\n", "points = \n",
     "not valid TOML: Invalid value (at line 17, column 10)"),
    ("unknown-top-field", 'kind = "culture"\n', 'kind = "culture"\ncolour = "red"\n',
     "unknown field 'colour' (known fields: format, id, version, kind, title, intro, citation, "
     "licence, scales, dimensions, items, respondent)"),
    ("unknown-field-close-match", "reverse = true\n", "revers = true\n",
     "item 'DM-A2': unknown field 'revers' (did you mean 'reverse'?)"),
    ("missing-required-top", 'citation = "Nobody (2020). A framework."\n', "",
     "missing required field 'citation'"),
    ("missing-required-scale", 'direction = "higher_better"\n', "",
     "scale 'DM': missing required field 'direction'"),
    ("missing-code", 'code = "DM-A1"\n', "",
     "item #1: missing required field 'code'"),
    ("wrong-type-int", "points = 3\n", 'points = "3"\n',
     "scale 'DM': field 'points' must be a whole number, not a text"),
    ("wrong-type-float", "points = 3\n", "points = 3.0\n",
     "scale 'DM': field 'points' must be a whole number, not a decimal number"),
    ("wrong-type-bool-for-int", "points = 3\n", "points = true\n",
     "scale 'DM': field 'points' must be a whole number, not true/false"),
    ("wrong-type-bool", "reverse = true\n", 'reverse = "yes"\n',
     "item 'DM-A2': field 'reverse' must be true or false, not a text"),
    ("wrong-type-str", 'citation = "Nobody (2020). A framework."\n', "citation = 2020\n",
     "field 'citation' must be a text (in quotes), not a whole number"),
    ("wrong-type-text", 'title.id = "Contoh"\ntitle.en = "Example"\n', 'title = "Contoh"\n',
     "field 'title' must be a table with texts 'id' and 'en', not a text"),
    ("wrong-type-tables", 'kind = "culture"\n', 'kind = "culture"\nrespondent = 1\n',
     "field 'respondent' must be a list of tables ([[...]]), not a whole number"),
    ("wrong-type-labels", 'labels.id = ["Tidak", "Kadang", "Ya"]\n', "labels.id = 3\n",
     "scale 'DM': field 'labels.id' must be a list of texts, not a whole number"),
    ("wrong-type-label", 'labels.id = ["Tidak", "Kadang", "Ya"]\n',
     'labels.id = ["Tidak", 2, "Ya"]\n',
     "scale 'DM': field 'labels.id[2]' must be a text (in quotes), not a whole number"),
    ("missing-translation-item", 'text.en = "Item one."\n', "",
     "item 'DM-A1': missing translation: field 'text.en' is absent"),
    ("missing-translation-top", 'intro.id = "Pengantar."\n', "",
     "missing translation: field 'intro.id' is absent"),
    ("missing-translation-labels", 'labels.en = ["No", "Sometimes", "Yes"]\n', "",
     "scale 'DM': missing translation: field 'labels.en' is absent"),
    ("missing-translation-action", 'text.en = "Training A."\n', "",
     "dimension 'DM-A', action #1: missing translation: field 'text.en' is absent"),
    ("empty-translation", 'text.id = "Butir satu."\n', 'text.id = "   "\n',
     "item 'DM-A1': field 'text.id' is empty"),
    ("unknown-language", 'text.en = "Item one."\n', 'text.en = "Item one."\ntext.fr = "Un."\n',
     "item 'DM-A1': unknown field 'text.fr' (languages: id, en)"),
    ("labels-not-matching-points", 'labels.id = ["Tidak", "Kadang", "Ya"]\n'
     'labels.en = ["No", "Sometimes", "Yes"]\n',
     'labels.id = ["Tidak", "Ya"]\nlabels.en = ["No", "Yes"]\n',
     "scale 'DM': 'labels' has 2 labels but points = 3 (one label per response option)"),
    ("labels-differ-between-languages", 'labels.en = ["No", "Sometimes", "Yes"]\n',
     'labels.en = ["No", "Yes"]\n',
     "scale 'DM': the languages of 'labels' have different numbers of labels (id 3, en 2)"),
    ("label-repeated", 'labels.en = ["No", "Sometimes", "Yes"]\n',
     'labels.en = ["No", "Yes", "Yes"]\n',
     "scale 'DM': label 'Yes' appears twice in 'labels.en'"),
    ("item-labels-not-matching-points", 'text.en = "Item two."\n',
     'text.en = "Item two."\nlabels.id = ["A", "B"]\nlabels.en = ["A", "B"]\n',
     "item 'DM-A2': 'labels' has 2 labels but points = 3 (one label per response option)"),
    ("points-out-of-range", "points = 3\n", "points = 12\n",
     "scale 'DM': points = 12 is outside 2..11"),
    ("duplicate-item-code", 'code = "DM-A2"\n', 'code = "DM-A1"\n',
     "item 'DM-A1': duplicate code: 'DM-A1' is already used by another item or question"),
    ("duplicate-dimension-code", "[[items]]\ncode = \"DM-A1\"",
     '[[dimensions]]\ncode = "DM-A"\nscale = "DM"\nname.id = "B"\nname.en = "B"\n'
     'description.id = "B."\ndescription.en = "B."\n'
     'actions = [{ kind = "other", text.id = "B.", text.en = "B." }]\n\n'
     '[[items]]\ncode = "DM-A1"',
     "dimension 'DM-A': duplicate code: 'DM-A' is already used by another dimension"),
    ("item-in-no-dimension", 'dimension = "DM-A"\nreverse = true\n',
     'dimension = "DM-B"\nreverse = true\n',
     "item 'DM-A2': dimension 'DM-B' is not defined in this file; every item must belong to "
     "a dimension"),
    ("dimension-in-no-scale", 'scale = "DM"\n', 'scale = "XX"\n',
     "dimension 'DM-A': scale 'XX' is not defined in this file"),
    ("dimension-without-items", "[[items]]\ncode = \"DM-A1\"",
     '[[dimensions]]\ncode = "DM-B"\nscale = "DM"\nname.id = "B"\nname.en = "B"\n'
     'description.id = "B."\ndescription.en = "B."\n'
     'actions = [{ kind = "other", text.id = "B.", text.en = "B." }]\n\n'
     '[[items]]\ncode = "DM-A1"',
     "dimension 'DM-B': the dimension has no items"),
    ("scale-without-dimensions", "[[dimensions]]\n",
     '[[scales]]\ncode = "DX"\nname.id = "X"\nname.en = "X"\npoints = 2\n'
     'labels.id = ["T", "Y"]\nlabels.en = ["N", "Y"]\nreferent = "collective"\n'
     'direction = "higher_better"\n\n[[dimensions]]\n',
     "scale 'DX': the scale has no dimensions"),
    ("reverse-on-non-reversible-scale", 'direction = "higher_better"\n',
     'direction = "higher_better"\nreversible = false\n',
     "item 'DM-A2': reverse = true cannot apply: scale 'DM' declares reversible = false"),
    ("no-actions", '\n[[dimensions.actions]]\nkind = "training"\ntext.id = "Pelatihan A."\n'
     'text.en = "Training A."\n', "actions = []\n",
     "dimension 'DM-A': no development actions ([[dimensions.actions]]); reports need at least "
     "one"),
    ("unknown-action-kind", 'kind = "training"\n', 'kind = "seminar"\n',
     "dimension 'DM-A', action #1: unknown kind 'seminar' (choose one of: training, elearning, "
     "coaching, other)"),
    ("unknown-referent", 'referent = "collective"\n', 'referent = "team"\n',
     "scale 'DM': unknown referent 'team' (choose one of: individual, collective)"),
    ("unknown-direction", 'direction = "higher_better"\n', 'direction = "up"\n',
     "scale 'DM': unknown direction 'up' (choose one of: higher_better, higher_worse)"),
    ("unknown-kind", 'kind = "culture"\n', 'kind = "poll"\n',
     "unknown kind 'poll' (choose one of: culture, skm)"),
    ("invalid-item-code", 'code = "DM-A1"\n', 'code = "dm a1"\n',
     "item 'dm a1': invalid code: upper-case letters and digits, parts joined by single '-', "
     "starting with a letter (e.g. RC-RS1)"),
    ("invalid-id", 'id = "demo"\n', 'id = "Demo"\n',
     "invalid id 'Demo': lower-case letters, digits and _, starting with a letter"),
    ("unsupported-format", "format = 1\n", "format = 2\n",
     "unsupported format 2; this Lentera reads format 1"),
    ("duplicate-wording", 'text.id = "Butir dua."\n', 'text.id = "butir satu."\n',
     "item 'DM-A2': its 'id' text repeats item 'DM-A1'"),
    ("respondent-questions-in-culture-instrument", "[[items]]\ncode = \"DM-A1\"",
     '[[respondent]]\ncode = "DM-SEX"\ntext.id = "Jenis kelamin"\ntext.en = "Sex"\n'
     'choices.id = ["L", "P"]\nchoices.en = ["M", "F"]\n\n[[items]]\ncode = "DM-A1"',
     "respondent question 'DM-SEX': respondent questions belong to SKM instruments only; "
     "demographic cuts of an ASN survey are declared per wave (anonymity.md rule 5)"),
]


@pytest.mark.parametrize(("old", "new", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_broken_file_is_refused_with_exact_message(write, old, new, expected):
    path = write(mutate(MINIMAL, old, new))
    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(path)
    assert caught.value.message("en") == f"{path}: {expected}"
    assert caught.value.file == str(path)


def test_minimal_file_is_valid(write):
    instrument = load_instrument_file(write(MINIMAL))
    assert isinstance(instrument, Instrument)
    assert instrument.key == "demo@1.0"
    assert [item.code for item in instrument.items] == ["DM-A1", "DM-A2"]
    assert [item.reverse for item in instrument.items] == [False, True]


def test_message_is_indonesian_first(write):
    path = write(mutate(MINIMAL, 'text.en = "Item one."\n', ""))
    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(path)
    expected = f"{path}: butir 'DM-A1': terjemahan kurang: isian 'text.en' tidak ada"
    assert str(caught.value) == expected
    assert caught.value.message("id") == expected
    assert isinstance(caught.value, ValueError)


def test_item_without_code_is_named_by_position_in_indonesian(write):
    path = write(mutate(MINIMAL, 'code = "DM-A2"\n', ""))
    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(path)
    assert str(caught.value) == f"{path}: butir ke-2: isian wajib 'code' tidak ada"


def test_file_without_scales_is_refused(write):
    text = MINIMAL.split("[[scales]]")[0] + "scales = []\ndimensions = []\nitems = []\n"
    path = write(text)
    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(path)
    assert caught.value.message("en") == f"{path}: no scales ([[scales]])"


def test_file_name_must_match_id_and_version(write):
    path = write(MINIMAL, name="demo-1.1.toml")
    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(path)
    assert caught.value.message("en") == (
        f"{path}: the file name must be 'demo-1.0.toml' (id-version.toml), not 'demo-1.1.toml'")


def test_version_must_be_major_minor(write):
    path = write(mutate(MINIMAL, 'version = "1.0"\n', 'version = "1"\n'), name="demo-1.toml")
    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(path)
    assert caught.value.message("en") == (
        f"{path}: invalid version '1': write MAJOR.MINOR, e.g. \"1.0\"")


def test_file_that_is_not_utf8_is_refused(write, tmp_path):
    path = tmp_path / "demo-1.0.toml"
    path.write_bytes(MINIMAL.replace("Contoh", "Cont\xf6h").encode("latin-1"))
    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(path)
    assert caught.value.message("en") == f"{path}: the file must be UTF-8 text"


def test_missing_file_is_refused(tmp_path):
    path = tmp_path / "absent-1.0.toml"
    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(path)
    assert caught.value.message("en") == (
        f"{path}: cannot read the file (No such file or directory)")


# --- SKM rules ---------------------------------------------------------------------------------

def test_minimal_skm_file_is_valid(write):
    instrument = load_instrument_file(write(skm_text(), name="skmdemo-1.0.toml"))
    assert [item.code for item in instrument.items] == [f"U{n}" for n in range(1, 10)]
    assert instrument.scales[0].reversible is False


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('code = "U3"\ndimension = "SK-U3"\n', 'code = "U3"\ndimension = "SK-U3"\nreverse = true\n',
     "item 'U3': reverse = true cannot apply: scale 'SK' declares reversible = false"),
    ('points = 4\nlabels.id = ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"]\n'
     'labels.en = ["Not appropriate", "Less appropriate", "Appropriate", "Very appropriate"]\n',
     'points = 5\nlabels.id = ["1", "2", "3", "4", "5"]\nlabels.en = ["1", "2", "3", "4", "5"]\n',
     "scale 'SK': SKM is answered 1-4: points must be 4"),
    ('code = "U9"\n', 'code = "U10"\n',
     "SKM items must be exactly U1, U2, U3, U4, U5, U6, U7, U8, U9 in order (the 9 unsur of "
     "Permenpan RB 14/2017), not U1, U2, U3, U4, U5, U6, U7, U8, U10"),
    ('dimension = "SK-U2"\n', 'dimension = "SK-U1"\n',
     "dimension 'SK-U2': the dimension has no items"),
], ids=["reverse-flag-on-unsur", "points-not-4", "codes-not-U1-U9", "unsur-merged"])
def test_broken_skm_file_is_refused(write, old, new, expected):
    path = write(mutate(skm_text(), old, new), name="skmdemo-1.0.toml")
    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(path)
    assert caught.value.message("en") == f"{path}: {expected}"


def test_skm_reverse_flag_is_refused_even_if_scale_says_reversible(write):
    text = mutate(skm_text(), "reversible = false\n", "reversible = true\n")
    text = mutate(text, 'code = "U3"\ndimension = "SK-U3"\n',
                  'code = "U3"\ndimension = "SK-U3"\nreverse = true\n')
    path = write(text, name="skmdemo-1.0.toml")
    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(path)
    assert caught.value.message("en") == (
        f"{path}: item 'U3': reverse = true cannot apply: an SKM unsur is always scored 1 "
        "(worst) to 4 (best)")


def test_skm_items_out_of_order_are_refused(write):
    text = mutate(skm_text(), 'code = "U1"\ndimension = "SK-U1"\n',
                  'code = "U1"\ndimension = "SK-U2"\n')
    text = mutate(text, 'code = "U2"\ndimension = "SK-U2"\n', 'code = "U2"\ndimension = "SK-U1"\n')
    path = write(text, name="skmdemo-1.0.toml")
    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(path)
    assert caught.value.message("en") == (
        f"{path}: SKM items must be exactly U1, U2, U3, U4, U5, U6, U7, U8, U9 in order (the 9 "
        "unsur of Permenpan RB 14/2017), not U2, U1, U3, U4, U5, U6, U7, U8, U9")


def test_respondent_question_needs_two_choices(write):
    text = skm_text() + ('\n[[respondent]]\ncode = "SK-SEX"\ntext.id = "Jenis kelamin"\n'
                         'text.en = "Sex"\nchoices.id = ["L"]\nchoices.en = ["M"]\n')
    path = write(text, name="skmdemo-1.0.toml")
    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(path)
    assert caught.value.message("en") == (
        f"{path}: respondent question 'SK-SEX': 'choices' needs at least 2 choices")


def test_respondent_question_code_clashing_with_item_is_refused(write):
    text = skm_text() + ('\n[[respondent]]\ncode = "U1"\ntext.id = "Jenis kelamin"\n'
                         'text.en = "Sex"\nchoices.id = ["L", "P"]\nchoices.en = ["M", "F"]\n')
    path = write(text, name="skmdemo-1.0.toml")
    with pytest.raises(InstrumentError) as caught:
        load_instrument_file(path)
    assert caught.value.message("en") == (
        f"{path}: respondent question 'U1': duplicate code: 'U1' is already used by another "
        "item or question")


def test_readme_example_file_is_valid(write):
    readme = (Path(__file__).resolve().parents[2] / "instruments" / "README.md").read_text(
        encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    instrument = load_instrument_file(write(example))
    assert instrument.key == "demo@1.0"
    assert [(i.code, i.reverse) for i in instrument.items] == [("DM-A1", False), ("DM-A2", True)]
