"""Instrument versions pinned by waves, loaded once per process from the instrument files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, current_app

from instruments.model import Instrument

if TYPE_CHECKING:
    from .models import Wave


class UnknownInstrument(LookupError):
    """A wave names an instrument version that cannot be loaded."""


def init_app(app: Flask) -> None:
    """Start the per-app cache; `LENTERA_INSTRUMENTS` (key -> Instrument) may pre-fill it."""
    app.extensions["lentera_instruments"] = dict(app.config.get("LENTERA_INSTRUMENTS", {}))


def get_instrument(key: str) -> Instrument:
    """The instrument for `id@version` (or `id` for the newest version)."""
    cache: dict[str, Instrument] = current_app.extensions["lentera_instruments"]
    if key not in cache:
        cache[key] = _load(key, tuple(current_app.config["LENTERA_INSTRUMENT_DIRS"]))
        cache[cache[key].key] = cache[key]
    return cache[key]


def _load(key: str, search_path: tuple[str, ...]) -> Instrument:
    """Load through the instruments package (imported late: it may arrive after the app)."""
    try:
        from instruments import load_instrument
    except ImportError as exc:
        raise UnknownInstrument(f"instrument loader unavailable for {key}") from exc
    ident, _, version = key.partition("@")
    try:
        return load_instrument(ident, version or None, search_path=search_path)
    except (LookupError, ValueError, OSError) as exc:
        raise UnknownInstrument(f"cannot load instrument {key}: {exc}") from exc


def available_instruments() -> list[Instrument]:
    """Every instrument version a wave can pin: the files (shipped folder and
    LENTERA_INSTRUMENT_DIRS, by id then version), then any that `LENTERA_INSTRUMENTS` adds."""
    from instruments import list_instruments

    folders = tuple(current_app.config["LENTERA_INSTRUMENT_DIRS"])
    found = {i.key: i for i in list_instruments(folders)}
    for instrument in current_app.config.get("LENTERA_INSTRUMENTS", {}).values():
        found.setdefault(instrument.key, instrument)
    return list(found.values())


def is_skm(wave: Wave) -> bool:
    """Every instrument of the wave is an SKM instrument."""
    return all(get_instrument(k).kind == "skm" for k in wave.instrument_keys)
