"""Presentation: rounding, number format per language, and verdict codes in plain words.

Rounding happens here and only here (analysis keeps full precision). Bahasa Indonesia writes
a decimal comma (0,87), English a decimal point.
"""

from __future__ import annotations

import math

from instruments.model import Direction
from reports.i18n import register, translate

DASH = "–"


def number(value: float | None, digits: int, lang: str) -> str:
    """`value` rounded to `digits` decimals in the language's format; a dash when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    text = f"{value:.{digits}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]  # "-0" reads as a change where there is none
    return text.replace(".", ",") if lang == "id" else text


def score(value: float | None, lang: str) -> str:
    """A 0-100 score as a whole number."""
    return number(value, 0, lang)


def signed(value: float | None, lang: str) -> str:
    """A change on 0-100 with its sign (+3, −2, 0)."""
    if value is None or math.isnan(value):
        return DASH
    text = number(value, 0, lang)
    if text in ("0", DASH):
        return text
    return "+" + text if value > 0 else text.replace("-", "−")


def percent(share: float | None, lang: str) -> str:
    """A share 0..1 as a whole percentage."""
    return DASH if share is None or math.isnan(share) else number(share * 100, 0, lang) + "%"


def trend_words(code: str, direction: Direction, lang: str) -> str:
    """The change verdict in words; whether "up" is good depends on the scale's direction."""
    if code in ("up", "down"):
        better = (code == "up") == (direction == Direction.HIGHER_BETTER)
        return translate(f"trend.{code}", lang) + " — " + translate(
            "trend.better" if better else "trend.worse", lang)
    return translate(f"trend.{code}", lang)


def trend_tone(code: str, direction: Direction) -> str:
    """A CSS class for a verdict: "good", "bad" or "neutral"."""
    if code not in ("up", "down"):
        return "neutral"
    return "good" if (code == "up") == (direction == Direction.HIGHER_BETTER) else "bad"


def goodness(score100: float, direction: Direction) -> float:
    """The score turned so that higher is always better (ranks strongest/weakest)."""
    return score100 if direction == Direction.HIGHER_BETTER else 100 - score100


def reliability_words(alpha: float | None, lang: str) -> str:
    """Cronbach's alpha in words (George & Mallery 2003 bands: .9 / .8 / .7 / .6)."""
    if alpha is None or math.isnan(alpha):
        return translate("rel.none", lang)
    for bound, key in ((0.9, "rel.excellent"), (0.8, "rel.good"), (0.7, "rel.acceptable"),
                       (0.6, "rel.questionable")):
        if alpha >= bound:
            return translate(key, lang)
    return translate("rel.poor", lang)


def kinerja(mutu: str, lang: str) -> str:
    """The service performance label of an SKM quality grade A-D (Permenpan RB 14/2017)."""
    return translate(f"skm.kinerja.{mutu}", lang)


register({
    "trend.up": {"id": "naik", "en": "up"},
    "trend.down": {"id": "turun", "en": "down"},
    "trend.better": {"id": "membaik", "en": "better"},
    "trend.worse": {"id": "memburuk", "en": "worse"},
    "trend.no_clear_change": {"id": "tidak ada perubahan yang jelas",
                              "en": "no clear change"},
    "trend.too_small_to_tell": {"id": "unit terlalu kecil untuk menyimpulkan",
                                "en": "too small to tell"},
    "trend.not_computable": {"id": "tidak dapat dihitung", "en": "not computable"},
    "trend.none": {"id": "belum ada data triwulan lalu", "en": "no previous quarter"},
    "cmp.above": {"id": "di atas organisasi", "en": "above the organisation"},
    "cmp.below": {"id": "di bawah organisasi", "en": "below the organisation"},
    "cmp.similar": {"id": "setara dengan organisasi", "en": "similar to the organisation"},
    "cmp.none": {"id": "tidak ada pembanding", "en": "no comparison"},
    "agree.lack_of_agreement": {"id": "tidak sepakat", "en": "no agreement"},
    "agree.weak_agreement": {"id": "kesepakatan lemah", "en": "weak agreement"},
    "agree.moderate_agreement": {"id": "kesepakatan sedang", "en": "moderate agreement"},
    "agree.strong_agreement": {"id": "kesepakatan kuat", "en": "strong agreement"},
    "agree.very_strong_agreement": {"id": "kesepakatan sangat kuat",
                                    "en": "very strong agreement"},
    "agree.not_computable": {"id": "tidak dapat dihitung", "en": "not computable"},
    "rel.excellent": {"id": "sangat baik", "en": "excellent"},
    "rel.good": {"id": "baik", "en": "good"},
    "rel.acceptable": {"id": "cukup", "en": "acceptable"},
    "rel.questionable": {"id": "diragukan", "en": "questionable"},
    "rel.poor": {"id": "lemah — tafsirkan dengan hati-hati",
                 "en": "poor — interpret with care"},
    "rel.none": {"id": "tidak dapat dihitung", "en": "not computable"},
    "skm.kinerja.A": {"id": "Sangat Baik", "en": "Very good"},
    "skm.kinerja.B": {"id": "Baik", "en": "Good"},
    "skm.kinerja.C": {"id": "Kurang Baik", "en": "Less than good"},
    "skm.kinerja.D": {"id": "Tidak Baik", "en": "Not good"},
})
