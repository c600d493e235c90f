"""The plain data each report is rendered from (no numpy, no database, no Flask).

Numbers here are unrounded (rounding happens only when a report is rendered); texts that come
from instrument files are `instruments.model.Text` so one context renders in either language.
A value of ``None`` means "not computable" or "not shown"; everything that is suppressed for
anonymity is already ``None`` (or absent) when the context is built — templates never decide
disclosure. Verdict codes are the analysis package's codes; `reports.wording` translates them.

Scores are on the 0-100 scale: (mean - 1) / (A - 1) * 100.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from instruments.model import Action, Direction, Text

# Trend verdict codes (analysis.trends, by the evidence standard of analysis.evidence); a
# context may also use "none" when there is no previous wave.
TREND_CODES = ("up", "down", "no_clear_change", "too_small_to_tell", "not_computable", "none")
# Unit-vs-rest verdicts (analysis.evidence codes in report words).
COMPARISON_CODES = ("above", "below", "similar", "too_small_to_tell", "none")
# Agreement bands for rwg(j) (LeBreton & Senter 2008, analysis.agreement).
AGREEMENT_CODES = ("lack_of_agreement", "weak_agreement", "moderate_agreement",
                   "strong_agreement", "very_strong_agreement", "not_beyond_chance",
                   "several_units", "not_computable")


@dataclass(frozen=True)
class DimensionResult:
    """One dimension of one unit in one wave, as the unit report shows it."""

    code: str
    name: Text
    description: Text
    direction: Direction
    actions: tuple[Action, ...]
    n: int
    score100: float | None  # None: this dimension is suppressed in a shown unit
    ci_low100: float | None
    ci_high100: float | None
    # share 0..1 of item answers on the favourable side of the midpoint (after reverse-keying):
    # above it on a higher-better scale, below it on a higher-worse one; neutral answers count
    # on neither side
    favourable: float | None = None
    previous_score100: float | None = None
    change100: float | None = None  # current - previous on 0-100
    change_q: float | None = None  # BH-adjusted p of the change
    hedges_g: float | None = None
    trend: str = "none"  # one of TREND_CODES
    org_score100: float | None = None  # the REST of the organisation (this subtree excluded)
    percentile: float | None = None  # 0..100 among shown units
    comparison: str = "none"  # "above" | "below" | "similar" | "none" (analysis.compare)
    rwg_j: float | None = None
    agreement: str = "not_computable"  # one of AGREEMENT_CODES
    # the one evidence standard (analysis.evidence), all on 0-100:
    estimate100: float | None = None  # pooled score about the unit's current staff
    estimate_ci_low100: float | None = None
    estimate_ci_high100: float | None = None
    change_est100: float | None = None  # pooled change since the previous wave
    change_ci_low100: float | None = None
    change_ci_high100: float | None = None
    change_mdc100: float | None = None  # smallest change this unit could detect (80% power)
    cmp_est100: float | None = None  # pooled difference unit - rest of the organisation
    cmp_ci_low100: float | None = None
    cmp_ci_high100: float | None = None
    cmp_mdc100: float | None = None
    mean_reliability: float | None = None  # of the unit mean at its n (Spearman-Brown)
    rwg_skew: float | None = None  # rwg(j) against a slightly skewed null
    rwg_beyond_chance: bool | None = None  # above the random-answering critical value
    unit_alpha: float | None = None  # this unit's own alpha, over its subtree's complete rows
    unit_alpha_n: int = 0  # those complete rows (every item of the dimension answered)
    n_items: int = 0  # items of the dimension (a one-item dimension has no alpha)


@dataclass(frozen=True)
class ItemDistribution:
    """The share of each answer category for one item (after nothing: raw categories)."""

    code: str
    text: Text
    reverse: bool
    n: int
    shares: tuple[float, ...]  # one per option 1..A, summing to 1


@dataclass(frozen=True)
class QualityRow:
    """Measurement quality of one dimension in this wave, over the whole organisation.

    In the unit report it stands beside the unit's own alpha (`DimensionResult.unit_alpha`).
    """

    name: Text
    n_items: int
    n: int
    alpha: float | None
    alpha_ci_low: float | None
    alpha_ci_high: float | None
    omega: float | None
    icc1: float | None = None
    icc2: float | None = None
    rwg_j: float | None = None  # this unit's agreement (unit report) or median (org report)
    note: str | None = None  # analysis reason code when something is not computable


@dataclass(frozen=True)
class TrainingMark:
    """A training or development event recorded for the unit, placed on the trend chart.

    The chart marks it halfway between the wave before it and `wave_label`, the first wave
    whose answers it can have influenced.
    """

    wave_label: str  # the first wave after the event
    title: str
    held_on: str = ""  # the date as printed


@dataclass(frozen=True)
class TrendSeries:
    """Scores of one dimension over all waves so far (None where not shown)."""

    name: Text
    scores100: tuple[float | None, ...]


@dataclass(frozen=True)
class InstrumentSection:
    """One instrument's results for one unit."""

    title: Text
    citation: str
    option_labels: tuple[Text, ...]  # 1..A of the scale
    collective: bool
    dimensions: tuple[DimensionResult, ...]
    items: tuple[ItemDistribution, ...]
    quality: tuple[QualityRow, ...]
    wave_labels: tuple[str, ...]  # all waves so far, oldest first, current last
    trend: tuple[TrendSeries, ...]
    validity: Validity | None = None  # the instrument's structure on the organisation's data


@dataclass(frozen=True)
class Validity:
    """Are an instrument's dimensions distinct on this wave's organisation data?

    ``verdict``: analysis.validity code (dimensions_distinct, partly_distinct,
    not_distinct_report_instrument_level, single_dimension, not_computable); ``groups``: the
    dimension codes the data can tell apart, one tuple per group.
    """

    verdict: str
    n: int
    groups: tuple[tuple[str, ...], ...] = ()
    names: tuple[tuple[str, Text], ...] = ()  # (code, name) of every dimension
    max_htmt: float | None = None
    max_pair: tuple[Text, Text] | None = None
    cfi_dimensions: float | None = None
    cfi_one_factor: float | None = None
    rmsea_dimensions: float | None = None
    rmsea_one_factor: float | None = None
    omega_h: float | None = None
    reason: str = ""

    @property
    def per_dimension(self) -> bool:
        """Whether every dimension may be read and acted on by itself."""
        return self.verdict in ("distinct", "single_dimension", "not_computable")

    def alone(self, code: str) -> bool:
        """Whether dimension `code` may be read and acted on by itself."""
        return self.per_dimension or any(g == (code,) for g in self.groups)

    def merged(self) -> tuple[tuple[str, ...], ...]:
        """The groups of two or more dimensions the data cannot tell apart."""
        return () if self.per_dimension else tuple(g for g in self.groups if len(g) > 1)


@dataclass(frozen=True)
class FollowupRow:
    """A dimension that development actions targeted: the unit's change since `wave_before`
    against comparison units without such an action (analysis.did), all on 0-100.

    ``verdict``: analysis.did code (more, less, not_enough_evidence, not_estimable);
    ``reason``: why not estimable (analysis.did or services.followup code), else "".
    """

    name: Text
    instrument: Text
    direction: Direction
    wave_before: str
    verdict: str
    reason: str = ""
    change100: float | None = None  # the unit's own change of its pooled score
    comparison_change100: float | None = None  # the comparison units' (weighted) change
    difference100: float | None = None
    ci_low100: float | None = None
    ci_high100: float | None = None
    mdd100: float | None = None  # smallest difference detectable with 80% power
    n_comparison: int = 0
    min_comparison: int = 4


@dataclass(frozen=True)
class UnitReportContext:
    """Everything the unit report shows; `shown=False` renders the short below-k report."""

    org_name: str
    unit_name: str
    wave_label: str
    period: str
    k: int
    shown: bool
    n_respondents: int | None = None  # None when not shown
    n_invited: int | None = None
    instruments: tuple[InstrumentSection, ...] = ()
    events: tuple[TrainingMark, ...] = ()
    generated_on: str = ""
    suppressed_reason: str = "below_k"  # "below_k" | "complementary" (analysis.disclosure)
    included_in: str = ""  # nearest shown unit above a hidden one ("" when none is shown)
    followup: tuple[FollowupRow, ...] = ()  # targeted dimensions since the previous wave


@dataclass(frozen=True)
class OrgDimension:
    """A column of the organisation heatmap."""

    code: str
    name: Text
    instrument: Text
    direction: Direction


@dataclass(frozen=True)
class OrgUnitRow:
    """A row of the organisation heatmap and of the response-rate table."""

    name: str
    depth: int  # 0 for the root; indents the name
    n: int | None  # None when suppressed (it would disclose the count)
    n_invited: int | None
    shown: bool
    scores100: tuple[float | None, ...]  # pooled estimates per OrgDimension; None: not shown
    # per OrgDimension: "better"/"worse" than the rest by the evidence standard, else ""
    verdicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignificantChange:
    """A unit x dimension whose change the evidence standard calls up or down.

    previous100/current100 are the observed scores; estimate100 and its interval the pooled
    change (analysis.evidence), mdc100 the smallest change the unit could detect.
    """

    unit_name: str
    dimension: Text
    direction: Direction
    previous100: float
    current100: float
    estimate100: float
    ci_low100: float
    ci_high100: float
    mdc100: float | None
    trend: str  # "up" | "down"


#: Fewest service units with both an IKM and a culture score for a correlation to be printed:
#: below it a rank correlation's 95% interval spans most of -1..1.
CULTURE_IKM_MIN_UNITS = 10


@dataclass(frozen=True)
class ServiceIkm:
    """A service unit's SKM result in the culture wave's year, as the org report takes it."""

    unit: int  # index into the culture wave's units
    period: str
    n_citizens: int
    converted: float | None  # IKM x 25; None below k


@dataclass(frozen=True)
class CultureIkmRow:
    """A service unit's IKM next to its culture scores (one per OrgDimension)."""

    name: str
    period: str
    n_citizens: int
    converted: float | None
    scores100: tuple[float | None, ...]


@dataclass(frozen=True)
class CultureIkmCorrelation:
    """Spearman's rho of one culture dimension's unit scores with the units' IKM."""

    dimension: int  # index into OrgReportContext.dimensions
    n_units: int
    rho: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class OrgReportContext:
    """Everything the organisation report shows."""

    org_name: str
    wave_label: str
    period: str
    k: int
    n_respondents: int
    n_invited: int | None
    dimensions: tuple[OrgDimension, ...]
    units: tuple[OrgUnitRow, ...]
    changes: tuple[SignificantChange, ...]
    quality: tuple[QualityRow, ...]
    previous_wave_label: str | None = None
    generated_on: str = ""
    validity: tuple[tuple[Text, Validity], ...] = ()  # (instrument title, its structure)
    culture_ikm: tuple[CultureIkmRow, ...] = ()
    # only with at least CULTURE_IKM_MIN_UNITS units that have both figures
    culture_ikm_correlations: tuple[CultureIkmCorrelation, ...] = ()


@dataclass(frozen=True)
class SkmUnsur:
    """One of the nine SKM elements (unsur) with its average value NRR on 1..4."""

    code: str
    name: Text
    nrr: float


@dataclass(frozen=True)
class SkmFollowUpLine:
    """One line of the period's follow-up plan (rencana tindak lanjut)."""

    unsur: Text  # the unsur's name
    action: str
    owner: str  # a position
    due_on: str  # ISO date
    status: str  # direncanakan | berjalan | selesai | dibatalkan


@dataclass(frozen=True)
class ForumLine:
    """A citizens' consultation forum of the service unit in the period's year."""

    held_on: str  # ISO date
    topic: str
    participants: int
    needs: tuple[tuple[str, Text | None], ...]  # (what was said, what it concerns)


@dataclass(frozen=True)
class SkmReportContext:
    """The SKM report of one service unit and period (Permenpan RB 14/2017)."""

    org_name: str
    service_unit: str
    period: str
    n_respondents: int
    unsur: tuple[SkmUnsur, ...]
    ikm: float  # sum of NRR x 1/9, 1..4
    converted: float  # IKM x 25
    mutu: str  # "A" | "B" | "C" | "D"
    population: int | None = None
    required_sample: int | None = None  # Krejcie & Morgan
    k: int = 5
    generated_on: str = ""
    weight: float = field(default=1 / 9)
    follow_ups: tuple[SkmFollowUpLine, ...] = ()
    forums: tuple[ForumLine, ...] = ()
