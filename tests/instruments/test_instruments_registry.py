"""Finding instruments: versions, an organisation's own folder, clashes between files."""

import os
from pathlib import Path

import pytest
from instrument_samples import MINIMAL, mutate

from instruments import InstrumentError, list_instruments, load_instrument, load_instrument_file


def versioned(version):
    """MINIMAL as another version with identical wording (codes may be kept)."""
    return mutate(MINIMAL, 'version = "1.0"\n', f'version = "{version}"\n')


@pytest.fixture
def org(tmp_path, write):
    """An organisation's folder holding demo 1.0, 1.9 and 1.10."""
    folder = tmp_path / "org"
    for version in ("1.0", "1.9", "1.10"):
        write(versioned(version), name=f"demo-{version}.toml", folder=folder)
    return folder


def test_newest_version_compares_numerically(org):
    assert load_instrument("demo", search_path=[org]).version == "1.10"
    assert load_instrument("demo", "1.9", search_path=[org]).version == "1.9"


def test_search_path_accepts_str_and_a_single_folder(org):
    assert load_instrument("demo", search_path=[str(org)]).version == "1.10"
    assert load_instrument("demo", search_path=org).version == "1.10"


def test_list_instruments_lists_every_version_sorted(org):
    keys = [i.key for i in list_instruments([org])]
    assert keys == ["demo@1.0", "demo@1.9", "demo@1.10", "learning@1.0", "readiness@1.0",
                    "resistance@1.0", "skm@1.0"]


def test_shipped_instruments_need_no_search_path():
    assert [i.id for i in list_instruments()] == ["learning", "readiness", "resistance", "skm"]


def test_unknown_version_is_refused_with_the_available_ones(org):
    with pytest.raises(InstrumentError) as caught:
        load_instrument("demo", "2.0", search_path=[org])
    assert caught.value.message("en") == (
        "instrument 'demo' has no version '2.0' (available: 1.0, 1.9, 1.10)")
    assert str(caught.value) == (
        "instrumen 'demo' tidak punya versi '2.0' (tersedia: 1.0, 1.9, 1.10)")


def test_unknown_id_is_refused_with_the_known_ones(org):
    with pytest.raises(InstrumentError) as caught:
        load_instrument("readyness", search_path=[org])
    assert caught.value.message("en") == (
        "no instrument 'readyness' (available: demo, learning, readiness, resistance, skm)")


def test_missing_folder_is_refused(tmp_path):
    folder = tmp_path / "nowhere"
    with pytest.raises(InstrumentError) as caught:
        list_instruments([folder])
    assert caught.value.message("en") == (
        f"{folder}: instrument folder not found (check LENTERA_INSTRUMENT_DIRS)")


def test_wrong_argument_types_are_refused():
    with pytest.raises(TypeError, match="instrument_id must be a str, not int"):
        load_instrument(3)
    with pytest.raises(TypeError, match="version must be a str or None, not float"):
        load_instrument("skm", 1.0)


def test_same_version_in_two_folders_is_refused(tmp_path, write):
    first = write(MINIMAL, folder=tmp_path / "a")
    second = write(MINIMAL, folder=tmp_path / "b")
    with pytest.raises(InstrumentError) as caught:
        load_instrument("demo", search_path=[tmp_path / "a", tmp_path / "b"])
    assert caught.value.message("en") == (
        f"{second}: 'demo@1.0' is already defined by {first}; a version has one file")


def test_organisation_cannot_redefine_a_shipped_version(tmp_path, write):
    shipped = load_instrument("skm")
    copy = write(Path(shipped.source).read_text(encoding="utf-8"), name="skm-1.0.toml")
    with pytest.raises(InstrumentError) as caught:
        load_instrument("skm", search_path=[tmp_path])
    assert caught.value.message("en") == (
        f"{copy}: 'skm@1.0' is already defined by {shipped.source}; a version has one file")


def test_item_code_used_by_another_instrument_is_refused(tmp_path, write):
    text = mutate(MINIMAL, 'code = "DM-A1"\n', 'code = "RC-RS1"\n')
    path = write(text)
    assert load_instrument("demo", search_path=[tmp_path]).items[0].code == "RC-RS1"
    with pytest.raises(InstrumentError) as caught:
        list_instruments([tmp_path])
    shipped = load_instrument("resistance").source
    assert caught.value.message("en") == (
        f"{path}: item 'RC-RS1': this code is already used by instrument 'resistance@1.0' "
        f"({shipped}); item codes must be unique across all instruments")


def test_dimension_code_used_by_another_instrument_is_refused(tmp_path, write):
    text = MINIMAL.replace('"DM-A"', '"LC-CL"')
    path = write(text)
    with pytest.raises(InstrumentError) as caught:
        list_instruments([tmp_path])
    shipped = load_instrument("learning").source
    assert caught.value.message("en") == (
        f"{path}: dimension 'LC-CL': this code is already used by instrument 'learning@1.0' "
        f"({shipped}); dimension codes must be unique across all instruments")


def test_kept_code_with_changed_wording_in_a_new_version_is_refused(tmp_path, write):
    write(MINIMAL)
    changed = mutate(versioned("1.1"), 'text.id = "Butir dua."\n', 'text.id = "Butir kedua."\n')
    path = write(changed, name="demo-1.1.toml")
    with pytest.raises(InstrumentError) as caught:
        load_instrument("demo", search_path=[tmp_path])
    assert caught.value.message("en") == (
        f"{path}: item 'DM-A2': its wording differs from version 1.0; a changed item needs a "
        "new code")


def test_new_version_may_add_items_with_new_codes(tmp_path, write):
    write(MINIMAL)
    added = versioned("1.1") + ('\n[[items]]\ncode = "DM-A3"\ndimension = "DM-A"\n'
                                'text.id = "Butir tiga."\ntext.en = "Item three."\n')
    write(added, name="demo-1.1.toml")
    assert [i.code for i in load_instrument("demo", search_path=[tmp_path]).items] == [
        "DM-A1", "DM-A2", "DM-A3"]
    assert len(load_instrument("demo", "1.0", search_path=[tmp_path]).items) == 2


def test_broken_file_of_another_id_does_not_block_loading(tmp_path, write):
    write("this is not toml", name="broken-1.0.toml")
    assert load_instrument("readiness", search_path=[tmp_path]).id == "readiness"
    with pytest.raises(InstrumentError, match="broken-1.0.toml: bukan TOML yang sah"):
        list_instruments([tmp_path])


def test_file_named_without_version_is_refused_by_list(tmp_path, write):
    path = write(MINIMAL, name="demo.toml")
    with pytest.raises(InstrumentError) as caught:
        list_instruments([tmp_path])
    assert caught.value.message("en") == (
        f"{path}: the file name must be 'demo-1.0.toml' (id-version.toml), not 'demo.toml'")


def test_edited_file_is_read_again(write):
    path = write(MINIMAL)
    assert load_instrument_file(path).title.en == "Example"
    path.write_text(MINIMAL.replace('"Example"', '"Changed example"'), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_instrument_file(path).title.en == "Changed example"


def test_unchanged_file_is_served_from_cache(write):
    path = write(MINIMAL)
    assert load_instrument_file(path) is load_instrument_file(path)
