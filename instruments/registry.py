"""Find instrument files: the shipped folder plus an organisation's own folders."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .errors import InstrumentError
from .loader import load_instrument_file, version_key
from .model import Instrument, Text

SHIPPED_DIR = Path(__file__).resolve().parent / "files"
"""The instruments Lentera ships (resistance, readiness, learning, skm)."""


def _folders(search_path: Sequence[str | Path] | str | Path) -> list[Path]:
    """The shipped folder first, then each extra folder once; a missing folder is an error."""
    extra = [search_path] if isinstance(search_path, str | Path) else list(search_path)
    folders = [SHIPPED_DIR]
    for entry in extra:
        folder = Path(entry).expanduser().resolve()
        if not folder.is_dir():
            raise InstrumentError(str(entry), None, Text(
                "folder instrumen tidak ada (periksa LENTERA_INSTRUMENT_DIRS)",
                "instrument folder not found (check LENTERA_INSTRUMENT_DIRS)"))
        if folder not in folders:
            folders.append(folder)
    return folders


def _files(folders: list[Path], instrument_id: str | None = None) -> list[Path]:
    """The `*.toml` files of the folders; only `<instrument_id>-*.toml` when an id is given."""
    files = []
    for folder in folders:
        for file in sorted(folder.glob("*.toml")):
            if instrument_id is None or file.stem.partition("-")[0] == instrument_id:
                files.append(file)
    return files


def _load_all(files: list[Path]) -> list[Instrument]:
    """Load every file in order, refusing two files that define the same id@version."""
    by_key: dict[str, Instrument] = {}
    for file in files:
        instrument = load_instrument_file(file)
        if instrument.key in by_key:
            other = by_key[instrument.key].source
            raise InstrumentError(str(file), None, Text(
                f"'{instrument.key}' sudah ada di {other}; satu versi hanya boleh satu berkas",
                f"'{instrument.key}' is already defined by {other}; a version has one file"))
        by_key[instrument.key] = instrument
    return list(by_key.values())


def _sorted(instruments: list[Instrument]) -> list[Instrument]:
    return sorted(instruments, key=lambda i: (i.id, version_key(i.version)))


def check_codes(instruments: Sequence[Instrument]) -> None:
    """Refuse item codes that clash between instruments or change wording between versions.

    A wave stores answers by item code, so a code names one question everywhere: two
    instruments never share a code, and a code kept in a newer version keeps its wording
    (changed wording needs a new code, or trends would compare different questions).
    """
    _check_dimension_codes(instruments)
    seen: dict[str, tuple[Instrument, Text]] = {}
    for instrument in instruments:
        codes = [(i.code, i.text) for i in instrument.items]
        codes += [(q.code, q.text) for q in instrument.respondent_questions]
        for code, text in codes:
            if code not in seen:
                seen[code] = (instrument, text)
                continue
            other, other_text = seen[code]
            _check_reuse(instrument, other, code, text, other_text)


def _check_dimension_codes(instruments: Sequence[Instrument]) -> None:
    """Reports list dimensions of several instruments side by side: their codes must differ."""
    owner: dict[str, Instrument] = {}
    for instrument in instruments:
        for dim in instrument.dimensions:
            other = owner.setdefault(dim.code, instrument)
            if other.id != instrument.id:
                raise InstrumentError(instrument.source, Text(
                    f"dimensi '{dim.code}'", f"dimension '{dim.code}'"), Text(
                    f"kode ini sudah dipakai oleh instrumen '{other.key}' ({other.source}); "
                    "kode dimensi harus unik di semua instrumen",
                    f"this code is already used by instrument '{other.key}' ({other.source}); "
                    "dimension codes must be unique across all instruments"))


def _check_reuse(instrument: Instrument, other: Instrument, code: str, text: Text,
                 other_text: Text) -> None:
    where = Text(f"butir '{code}'", f"item '{code}'")
    if other.id != instrument.id:
        raise InstrumentError(instrument.source, where, Text(
            f"kode ini sudah dipakai oleh instrumen '{other.key}' ({other.source}); "
            "kode butir harus unik di semua instrumen",
            f"this code is already used by instrument '{other.key}' ({other.source}); "
            "item codes must be unique across all instruments"))
    if text != other_text:
        raise InstrumentError(instrument.source, where, Text(
            f"teksnya berbeda dari versi {other.version}; butir yang diubah perlu kode baru",
            f"its wording differs from version {other.version}; a changed item needs a new "
            "code"))


def list_instruments(search_path: Sequence[str | Path] = ()) -> list[Instrument]:
    """Every instrument version in the shipped folder and `search_path`, by id then version."""
    # Checked in folder order (shipped first), so a clash is blamed on the organisation's file.
    instruments = _load_all(_files(_folders(search_path)))
    check_codes(instruments)
    return _sorted(instruments)


def load_instrument(instrument_id: str, version: str | None = None,
                    search_path: Sequence[str | Path] = ()) -> Instrument:
    """One instrument version: `version`, or the newest when `version` is None."""
    if not isinstance(instrument_id, str):
        raise TypeError(f"instrument_id must be a str, not {type(instrument_id).__name__}")
    if version is not None and not isinstance(version, str):
        raise TypeError(f"version must be a str or None, not {type(version).__name__}")
    folders = _folders(search_path)
    versions = _load_all(_files(folders, instrument_id))
    check_codes(versions)
    versions = _sorted(versions)
    if not versions:
        known = sorted({f.stem.partition("-")[0] for f in _files(folders)})
        raise InstrumentError("", None, Text(
            f"instrumen '{instrument_id}' tidak ditemukan (tersedia: {', '.join(known)})",
            f"no instrument '{instrument_id}' (available: {', '.join(known)})"))
    if version is None:
        return versions[-1]
    for instrument in versions:
        if instrument.version == version:
            return instrument
    available = ", ".join(i.version for i in versions)
    raise InstrumentError("", None, Text(
        f"instrumen '{instrument_id}' tidak punya versi '{version}' (tersedia: {available})",
        f"instrument '{instrument_id}' has no version '{version}' (available: {available})"))
