"""Instrument files and their loader/validator (standard library only).

An instrument version is one TOML file, ``<id>-<version>.toml``; see instruments/README.md.
"""

from .errors import InstrumentError
from .loader import load_instrument_file
from .model import (
    LANGUAGES,
    Action,
    Dimension,
    Direction,
    Instrument,
    Item,
    Option,
    Question,
    Referent,
    Scale,
    Text,
)
from .registry import SHIPPED_DIR, check_codes, list_instruments, load_instrument

__all__ = [
    "LANGUAGES", "SHIPPED_DIR", "Action", "Dimension", "Direction", "Instrument",
    "InstrumentError", "Item", "Option", "Question", "Referent", "Scale", "Text", "check_codes",
    "list_instruments", "load_instrument", "load_instrument_file",
]
