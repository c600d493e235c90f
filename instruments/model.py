"""Frozen dataclasses describing one instrument version (the contract every package reads)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

LANGUAGES: tuple[str, ...] = ("id", "en")
"""Every user-facing text exists in each of these languages; `id` (Bahasa Indonesia) first."""


class Referent(StrEnum):
    """Whom the items are about: the respondent (`saya`) or the unit (`kami`, `unit kami`)."""

    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"


class Direction(StrEnum):
    """Whether a higher scale score is better or worse for the organisation."""

    HIGHER_BETTER = "higher_better"
    HIGHER_WORSE = "higher_worse"


@dataclass(frozen=True)
class Text:
    """A user-facing text in every supported language."""

    id: str
    en: str

    def get(self, lang: str) -> str:
        """Return the text in `lang` (``"id"`` or ``"en"``), Bahasa Indonesia otherwise."""
        return self.en if lang == "en" else self.id


@dataclass(frozen=True)
class Option:
    """One response option of a scale: its numeric value (1..A) and its label."""

    value: int
    label: Text


@dataclass(frozen=True)
class Action:
    """A development action a report recommends when a dimension scores low."""

    kind: str  # "training" | "elearning" | "coaching" | "other"
    text: Text


@dataclass(frozen=True)
class Item:
    """One question: stable code, its dimension, whether it is reverse-keyed, its wording."""

    code: str
    dimension: str  # Dimension.code
    reverse: bool
    text: Text
    # Labels for this item only (an SKM unsur such as biaya: "sangat mahal" .. "gratis");
    # empty means the scale's options apply. Use Scale.options_for(item) to read either.
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class Dimension:
    """A facet of a scale (e.g. routine seeking); scores and reports are per dimension."""

    code: str
    name: Text
    description: Text
    actions: tuple[Action, ...]
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Scale:
    """A set of dimensions answered on the same response format."""

    code: str
    name: Text
    points: int  # A, the number of response options (rwg(j) needs it)
    options: tuple[Option, ...]  # values 1..A in order
    referent: Referent
    direction: Direction
    dimensions: tuple[Dimension, ...]
    reversible: bool = True  # False: no item of this scale may be reverse-keyed

    @property
    def items(self) -> tuple[Item, ...]:
        """All items of the scale, dimension by dimension, in file order."""
        return tuple(item for dim in self.dimensions for item in dim.items)

    def options_for(self, item: Item) -> tuple[Option, ...]:
        """The response options shown for `item`: its own labels if it has any, else the scale's."""
        return item.options or self.options


@dataclass(frozen=True)
class Question:
    """A coarse, optional respondent-data question (SKM only): categorical, never free text."""

    code: str
    text: Text
    choices: tuple[Option, ...]


@dataclass(frozen=True)
class Instrument:
    """One version of one instrument, exactly as loaded from its file."""

    id: str  # e.g. "readiness"
    version: str  # e.g. "1.0"; wording never changes inside a version
    kind: str  # "culture" (ASN survey) | "skm" (citizen satisfaction)
    title: Text
    intro: Text
    citation: str
    licence: Text
    scales: tuple[Scale, ...]
    respondent_questions: tuple[Question, ...]
    source: str  # path of the file it was loaded from

    @property
    def key(self) -> str:
        """`id@version`, the string a wave stores to pin this version."""
        return f"{self.id}@{self.version}"

    @property
    def items(self) -> tuple[Item, ...]:
        """All items of all scales in file order."""
        return tuple(item for scale in self.scales for item in scale.items)

    @property
    def dimensions(self) -> tuple[Dimension, ...]:
        """All dimensions of all scales in file order."""
        return tuple(dim for scale in self.scales for dim in scale.dimensions)

    def scale_of(self, item_code: str) -> Scale:
        """The scale holding the item `item_code` (KeyError if no item has that code)."""
        for scale in self.scales:
            if any(item.code == item_code for item in scale.items):
                return scale
        raise KeyError(f"{self.key} has no item {item_code!r}")
