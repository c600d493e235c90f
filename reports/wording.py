"""Presentation: rounding, number format per language, and verdict codes in plain words.

Rounding happens here and only here (analysis keeps full precision): once, half away from
zero, on the exact value of the float (its full decimal expansion, not a shortened repr), so
that ties such as 48.5, 62.5 and -15.5 all round away from zero (49, 63, -16) wherever they are
printed. Bahasa Indonesia writes a decimal comma (0,87), English a decimal point.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import TypeGuard

from instruments.model import Direction
from reports.i18n import register, translate

DASH = "–"


def _present(value: float | Decimal | None) -> TypeGuard[float | Decimal]:
    """A number to print; None and NaN are printed as a dash."""
    return not (value is None or (isinstance(value, float | Decimal) and value != value))


def rounded(value: float | Decimal, digits: int, scale: int = 1) -> Decimal:
    """`value` × `scale`, rounded once to `digits` decimals, half away from zero.

    The float is converted to its exact decimal value, so the result is the correct rounding
    of the number actually stored (64.995 is stored as 64.99500000000000454… and gives 65.00;
    2.675 is stored as 2.67499999999999982… and gives 2.67). `scale` (e.g. 100 for a
    percentage) is applied exactly, before the one rounding.
    """
    with localcontext() as ctx:
        ctx.prec = 200  # exact for every double times a small integer
        out = (Decimal(value) * scale).quantize(Decimal(1).scaleb(-digits),
                                                rounding=ROUND_HALF_UP)
    return out.copy_abs() if out == 0 else out  # "-0" reads as a change where there is none


def _format(value: Decimal, lang: str) -> str:
    """A rounded Decimal in the language's format."""
    text = format(value, "f")
    return text.replace(".", ",") if lang == "id" else text


def number(value: float | Decimal | None, digits: int, lang: str) -> str:
    """`value` rounded to `digits` decimals in the language's format; a dash when missing."""
    return _format(rounded(value, digits), lang) if _present(value) else DASH


def score(value: float | None, lang: str) -> str:
    """A 0-100 score as a whole number."""
    return number(value, 0, lang)


def signed(value: float | Decimal | None, lang: str) -> str:
    """A change on 0-100 as a whole number with its sign (+3, −2, 0)."""
    if not _present(value):
        return DASH
    whole = rounded(value, 0)
    text = _format(whole.copy_abs(), lang)
    if whole == 0:
        return text
    return ("+" if whole > 0 else "−") + text


def percent(share: float | None, lang: str) -> str:
    """A share 0..1 as a whole percentage (rounded once, on the exact share × 100)."""
    return _format(rounded(share, 0, scale=100), lang) + "%" if _present(share) else DASH


def fraction(value: float, lang: str, digits: int = 3) -> str:
    """A weight such as 1/9 as the fraction it is; other values as decimals."""
    exact = Fraction(value).limit_denominator(100)
    if exact.denominator > 1 and abs(float(exact) - value) < 1e-12:
        return f"{exact.numerator}/{exact.denominator}"
    return number(value, digits, lang)


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
    "trend.not_computable": {"id": "tidak dapat dihitung", "en": "not computable"},
    "trend.none": {"id": "belum ada data triwulan lalu", "en": "no previous quarter"},
    # the column is headed "rest of the organisation"; above/below compare scores, not goodness
    "cmp.above": {"id": "lebih tinggi", "en": "higher"},
    "cmp.below": {"id": "lebih rendah", "en": "lower"},
    "cmp.similar": {"id": "tidak jelas berbeda", "en": "not clearly different"},
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


def followup_words(verdict: str, reason: str, direction: Direction, lang: str, *,
                   difference: float | None = None, ci_low: float | None = None,
                   ci_high: float | None = None, mdd: float | None = None,
                   n_comparison: int = 0, min_comparison: int = 4) -> str:
    """A follow-up (analysis.did verdict) in plain words that claim no cause."""
    if verdict == "not_estimable":
        return translate(f"did.{reason}", lang, n=n_comparison, m=min_comparison)
    text = translate(f"did.{verdict}", lang, d=signed(difference, lang),
                     lo=signed(ci_low, lang), hi=signed(ci_high, lang), mdd=score(mdd, lang))
    if direction == Direction.HIGHER_WORSE:
        text += " " + translate("did.higher_worse", lang)
    return text
