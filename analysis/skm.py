"""Citizen satisfaction index (SKM / IKM) after Permenpan RB 14/2017, and Krejcie & Morgan's
sample size."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis.errors import AnalysisInputError

#: Number of service elements (unsur) in Permenpan RB 14/2017 and the answer scale 1..4.
N_UNSUR = 9
SKM_POINTS = 4
#: Conversion factor from IKM (1..4) to the 25..100 converted score.
CONVERSION = 25.0
#: Lower bounds of the converted score (NIK) for each mutu, Permenpan RB 14/2017 Lampiran:
#: A 88.31-100.00, B 76.61-88.30, C 65.00-76.60, D 25.00-64.99. The intervals are written
#: with two decimals, so the score is graded as it is printed: rounded to two decimals (see
#: :func:`round_converted`); every two-decimal value lies in exactly one interval, and a
#: printed 88,31 always carries A.
MUTU_BOUNDS = ((Decimal("88.31"), "A"), (Decimal("76.61"), "B"), (Decimal("65.00"), "C"),
               (Decimal("25.00"), "D"))
#: Decimals of the converted score as published (the regulation's intervals).
CONVERTED_DIGITS = 2
#: Kinerja unit pelayanan codes for each mutu (translated by reports/).
KINERJA = {"A": "sangat_baik", "B": "baik", "C": "kurang_baik", "D": "tidak_baik"}


@dataclass(frozen=True)
class SkmResult:
    """SKM result: NRR per unsur, IKM, converted score, mutu and kinerja code."""

    n: NDArray[np.int64]
    nrr: NDArray[np.float64]
    nrr_weighted: NDArray[np.float64]
    ikm: float
    converted: float
    mutu: str
    kinerja: str


def skm_index(values: ArrayLike) -> SkmResult:
    """Indeks Kepuasan Masyarakat from answers to the nine unsur.

    Parameters
    ----------
    values : (n, 9) answers 1..4, NaN = not answered.

    Returns
    -------
    SkmResult

    Notes
    -----
    NRR_i = mean of the answers to unsur i; weight w = 1/9 (equal weights, the regulation's
    "bobot nilai rata-rata tertimbang" 1/jumlah unsur = 0.111 taken exactly);
    IKM = sum_i w NRR_i; converted (NIK) = 25 IKM; mutu from :data:`MUTU_BOUNDS`, applied to
    the converted score rounded to two decimals as it is printed (:func:`mutu_for`).

    References
    ----------
    Peraturan Menteri PAN-RB No. 14 Tahun 2017 tentang Pedoman Penyusunan Survei Kepuasan
    Masyarakat Unit Penyelenggara Pelayanan Publik, Lampiran.
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != N_UNSUR:
        raise AnalysisInputError(f"SKM needs {N_UNSUR} columns U1..U9")
    bad = ~np.isnan(x) & ((x < 1) | (x > SKM_POINTS) | (x != np.round(x)))
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise AnalysisInputError(f"row {r}, U{c + 1}: {x[r, c]!r} is outside 1..4")
    n = (~np.isnan(x)).sum(axis=0)
    if (n == 0).any():
        raise AnalysisInputError(f"unsur U{int(np.argmin(n)) + 1} has no answers")
    nrr = np.nanmean(x, axis=0)
    weighted = nrr / N_UNSUR
    ikm = float(weighted.sum())
    converted = ikm * CONVERSION
    mutu = mutu_for(converted)
    return SkmResult(n=n, nrr=nrr, nrr_weighted=weighted, ikm=ikm, converted=converted,
                     mutu=mutu, kinerja=KINERJA[mutu])


def round_converted(converted: float | Decimal | Fraction) -> Decimal:
    """The converted score as printed: two decimals, half away from zero, rounded once.

    A float is taken at its exact binary value (88.305 is stored as 88.30500000000000682…
    and prints 88.31; 2.675 would print 2.67); a Decimal or Fraction is rounded exactly, so
    a true tie such as Fraction(17661, 200) = 88.305 gives 88.31. ``reports.wording.number``
    applies the same rule, so the PDF prints this value.
    """
    with localcontext() as ctx:
        ctx.prec = 200  # exact for every double
        if isinstance(converted, Fraction):
            value = Decimal(converted.numerator) / Decimal(converted.denominator)
        else:
            value = Decimal(converted)
        return value.quantize(Decimal(1).scaleb(-CONVERTED_DIGITS), rounding=ROUND_HALF_UP)


def mutu_for(converted: float | Decimal | Fraction) -> str:
    """Mutu pelayanan (A-D) of a converted score 25..100, graded as printed.

    The score is rounded by :func:`round_converted` and placed in the regulation's
    intervals (:data:`MUTU_BOUNDS`), so the printed value and the grade always agree.
    """
    if isinstance(converted, float) and not math.isfinite(converted):
        raise AnalysisInputError(f"converted score {converted} is outside 25..100")
    printed = round_converted(converted)
    if not Decimal("25.00") <= printed <= Decimal("100.00"):
        raise AnalysisInputError(f"converted score {converted} is outside 25..100")
    return next(code for low, code in MUTU_BOUNDS if printed >= low)


def krejcie_morgan(population: int, chi2: float = 3.841, p: float = 0.5,
                   margin: float = 0.05) -> int:
    """Required sample size for a finite population (Krejcie & Morgan 1970).

    Notes
    -----
    s = X^2 N P (1 - P) / (d^2 (N - 1) + X^2 P (1 - P)); X^2 = 3.841 (chi-square, 1 df, 95%),
    P = .5, d = .05. The published table rounds s to the nearest integer (50 -> 44.3 -> 44,
    100 -> 79.5 -> 80, 1000 -> 277.7 -> 278, 10000 -> 369.9 -> 370), so we do the same.
    (The table's 384 for N = 100,000 is the infinite-population value; the formula gives 383.)

    References
    ----------
    Krejcie, R. V., & Morgan, D. W. (1970). Educ Psychol Meas 30, 607-610.
    """
    if int(population) != population or population < 1:
        raise AnalysisInputError("population must be a positive integer")
    s = chi2 * population * p * (1 - p) / (margin**2 * (population - 1) + chi2 * p * (1 - p))
    return int(math.floor(s + 0.5))


@dataclass(frozen=True)
class SampleAdequacy:
    """Respondents against the Krejcie & Morgan requirement for the served population."""

    respondents: int
    population: int
    required: int
    adequate: bool


def sample_adequacy(respondents: int, population: int) -> SampleAdequacy:
    """Whether ``respondents`` reach :func:`krejcie_morgan` ``(population)``."""
    if int(respondents) != respondents or respondents < 0:
        raise AnalysisInputError("respondents must be a non-negative integer")
    required = krejcie_morgan(population)
    return SampleAdequacy(respondents=int(respondents), population=int(population),
                          required=required, adequate=respondents >= required)


def priority_unsur(nrr: ArrayLike) -> tuple[int, ...]:
    """The unsur a follow-up plan (rencana tindak lanjut) takes first, as column indices.

    Every unsur whose own converted value (NRR x 25, graded as printed by :func:`mutu_for`)
    is below mutu B, i.e. C or D; when none is, the unsur with the lowest NRR as printed
    (two decimals; all of them on a tie). The regulation asks that the follow-up start from
    the unsur with the lowest values; grading each unsur as the index is graded makes "low"
    the same bound for every unit and period.

    Parameters
    ----------
    nrr : (9,) NRR per unsur, 1..4.
    """
    values = np.asarray(nrr, dtype=np.float64)
    if values.ndim != 1 or values.size == 0 or not np.isfinite(values).all():
        raise AnalysisInputError("priority_unsur needs one finite NRR per unsur")
    below_b = tuple(i for i, v in enumerate(values) if mutu_for(v * CONVERSION) in ("C", "D"))
    if below_b:
        return below_b
    printed = [Decimal(v).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for v in values]
    lowest = min(printed)
    return tuple(i for i, v in enumerate(printed) if v == lowest)
