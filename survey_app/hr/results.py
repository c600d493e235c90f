"""Results of a closed culture wave in the browser (blueprint `results`, /hr/hasil).

Every figure comes from what the wave published when it closed (`PublishedCell`, the frozen
layout `WaveUnit`): the same cells, k and hidden cells as the PDF reports, never a second
computation on the answers. Verdict words, rounding and charts are the reports' own
(`reports.wording`, `reports.charts`).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from instruments.model import Action, Direction, Instrument
from reports import charts
from reports.build import instrument_dimensions
from reports.context import FollowupRow
from reports.i18n import translate
from reports.texts import ACTION_KINDS
from reports.wording import followup_words, number, percent, score, signed, trend_tone, trend_words

from ..config import HR_PREFIX
from ..extensions import db
from ..i18n import current_lang
from ..instrument_store import get_instrument
from ..models import PublishedCell, PublishedItem, Wave, WaveState, WaveUnit
from ..services import followup, training_log, unit_counts
from ..services.publication import (
    ReportingError,
    UnitCount,
    cells_of,
    culture_keys,
    earlier_waves,
    layout,
    subtree_positions,
)
from ..services.verdicts import worse_than_before as worse_than_before
from ..services.verdicts import worse_than_rest as worse_than_rest
from .auth import login_required
from .common import visible_unit_ids, wave_or_404

bp = Blueprint("results", __name__, url_prefix=f"{HR_PREFIX}/hasil")

#: The evidence standard's comparison verdicts (analysis.evidence) as report text keys.
COMPARISON_KEYS = {"higher": "above", "lower": "below", "no_clear_difference": "similar",
                   "too_small_to_tell": "too_small_to_tell", "not_computable": "none"}
# Pictures drawn into the page; a larger tree links its pictures instead (each costs about
# half a second to draw, and the table beside them already is the heatmap)
INLINE_PICTURES = 2
DEPENDABLE = 0.70  # reliability of a unit mean fit to compare units (the unit report's bound)

CellKey = tuple[int, str, str]  # (layout position, instrument key, dimension code)


@dataclass(frozen=True)
class Column:
    """One dimension of one culture instrument of the wave."""

    key: str
    code: str
    name: str
    direction: Direction
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class Group:
    """An instrument and its columns, in the wave's order."""

    key: str
    title: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Cell:
    """A heatmap cell as printed: the pooled score and interval, or hidden."""

    column: Column
    shown: bool
    estimate: float | None = None
    score: str = ""
    low: str = ""
    high: str = ""
    tone: str = ""  # "better" / "worse" (the supported comparison, direction applied) or ""
    comparison: str = ""
    title: str = ""


@dataclass(frozen=True)
class Row:
    """A unit of the frozen layout with its cells and response rate."""

    unit: WaveUnit
    depth: int
    respondents: int | None
    invited: int | None
    rate: str
    cells: tuple[Cell, ...]

    @property
    def shown(self) -> bool:
        """Any cell is published."""
        return any(c.shown for c in self.cells)

    @property
    def indent(self) -> int:
        """The depth the page indents to (deeper levels stay at the last step)."""
        return min(self.depth, 4)


@dataclass(frozen=True)
class Concern:
    """A supported verdict that a unit is worse: than the rest, or than the last wave."""

    column: Column
    words: str


@dataclass
class Attention:
    """A unit with at least one supported "worse" verdict."""

    row: Row
    concerns: list[Concern] = field(default_factory=list)


# ---------------------------------------------------------------- what the wave published

def culture_wave_or_409(wave_id: int) -> Wave:
    """The closed, published culture wave of the URL (409 with a bilingual reason)."""
    wave = wave_or_404(wave_id)
    if wave.state != WaveState.CLOSED:
        abort(409, description=f"Gelombang {wave.name} belum ditutup; hasil tersedia setelah "
                               f"gelombang ditutup. / Wave {wave.name} is not closed; results "
                               f"are available once the wave closes.")
    if not culture_keys(wave):
        abort(409, description=f"Gelombang {wave.name} tidak memiliki instrumen budaya; "
                               f"hasil SKM ada di laporan SKM. / Wave {wave.name} has no "
                               f"culture instrument; SKM results are in the SKM report.")
    return wave


def groups_of(wave: Wave, lang: str) -> list[Group]:
    """The wave's culture instruments and their dimensions, in report order."""
    out = []
    for key in culture_keys(wave):
        instrument: Instrument = get_instrument(key)
        out.append(Group(key, instrument.title.get(lang), tuple(
            Column(key, d.code, d.name.get(lang), s.direction, d.actions)
            for s, d in instrument_dimensions(instrument))))
    return out


def whole_unit_cells(wave: Wave) -> dict[CellKey, PublishedCell]:
    """The wave's published whole-unit cells (no cut), by position, instrument, dimension."""
    try:
        rows = cells_of(wave)
    except ReportingError as exc:
        abort(409, description=str(exc))
    return {(c.position, c.instrument_key, c.dimension): c for c in rows if c.cut == ""}


def cell_of(published: PublishedCell | None, column: Column, lang: str,
            hover: str = "%(lo)s–%(hi)s; %(v)s") -> Cell:
    """A heatmap cell: the pooled score and its interval, coloured only by a supported
    comparison verdict; `hover` words the interval and verdict for the cell's title."""
    if published is None or not published.shown:
        return Cell(column, shown=False)
    verdict = published.comparison_verdict
    tone = ""
    if verdict in ("higher", "lower"):
        tone = "worse" if worse_than_rest(verdict, column.direction) else "better"
    low, high = score(published.estimate100_ci_low, lang), score(published.estimate100_ci_high,
                                                                 lang)
    words = translate(f"cmp.{COMPARISON_KEYS.get(verdict or '', 'none')}", lang)
    return Cell(column, True, published.estimate100, score(published.estimate100, lang),
                low, high, tone, words, hover % {"lo": low, "hi": high, "v": words})


def rows_of(wave: Wave, groups: Sequence[Group], cells: dict[CellKey, PublishedCell],
            counts: Sequence[UnitCount], lang: str) -> list[Row]:
    """One row per visible layout unit, in tree order."""
    columns = [c for grp in groups for c in grp.columns]
    hover = _("rentang 95%%: %(lo)s–%(hi)s; %(v)s")  # once: filled in per cell below
    out = []
    for count in counts:
        u = count.unit
        rate = (percent(count.low / count.invited, lang) if count.low is not None
                and count.invited else "–")
        out.append(Row(u, count.depth, count.low, count.invited, rate, tuple(
            cell_of(cells.get((u.position, c.key, c.code)), c, lang, hover) for c in columns)))
    return out


def layout_counts(wave: Wave, visible: set[int] | None) -> list[UnitCount]:
    """A closed wave's published counts per layout unit (subtree sums of the codes issued),
    as `unit_counts` gives them, in one pass over the frozen layout."""
    units = layout(wave)
    if any(u.invited is None for u in units):  # not frozen at close: the general rule
        return unit_counts(wave, visible)
    invited = [int(u.invited or 0) for u in units]
    for i in range(len(units) - 1, -1, -1):  # children come after their parent
        parent = units[i].parent_position
        if parent is not None:
            invited[parent] += invited[i]
    depth: list[int] = []
    for u in units:
        depth.append(0 if u.parent_position is None else depth[u.parent_position] + 1)
    return [UnitCount(u, depth[i], invited[i] or None, u.respondents, u.respondents)
            for i, u in enumerate(units) if visible is None or u.unit_id in visible]


def attention_of(rows: Sequence[Row], cells: dict[CellKey, PublishedCell],
                 lang: str) -> list[Attention]:
    """Units with a supported verdict that they are worse than the rest of the
    organisation or than the previous wave (direction of the scale applied)."""
    out = []
    for row in rows:
        entry = Attention(row)
        for cell in row.cells:
            c = cells.get((row.unit.position, cell.column.key, cell.column.code))
            if c is None or not c.shown:
                continue
            if worse_than_rest(c.comparison_verdict, cell.column.direction):
                entry.concerns.append(Concern(cell.column, _(
                    "%(v)s daripada bagian lain organisasi",
                    v=translate(f"cmp.{COMPARISON_KEYS[c.comparison_verdict or '']}", lang))))
            if worse_than_before(c.change_verdict, cell.column.direction):
                entry.concerns.append(Concern(cell.column, _(
                    "sejak gelombang sebelumnya: %(v)s",
                    v=trend_words(c.change_verdict or "", cell.column.direction, lang))))
        if entry.concerns:
            out.append(entry)
    return out


def heatmap_parts(rows: Sequence[Row]) -> list[Sequence[Row]]:
    """The rows in pictures of `charts.HEATMAP_ROWS` rows, as the organisation report."""
    size = charts.HEATMAP_ROWS
    return [rows[i:i + size] for i in range(0, len(rows), size)]


def heatmap_picture(part: Sequence[Row], groups: Sequence[Group], lang: str) -> str:
    """The reports' heatmap of some rows, as an SVG data URI."""
    columns = [c for grp in groups for c in grp.columns]
    return charts.heatmap(
        ["— " * r.depth + r.unit.name for r in part], [c.name for c in columns],
        [[cell.estimate for cell in r.cells] for r in part],
        [c.direction == Direction.HIGHER_BETTER for c in columns],
        translate("mark.hidden", lang), [[cell.tone for cell in r.cells] for r in part])


# ---------------------------------------------------------------- one unit

@dataclass(frozen=True)
class DimensionLine:
    """One dimension of the unit page's table."""

    column: Column
    cell: PublishedCell | None
    lang: str

    @property
    def shown(self) -> bool:
        """The cell is published."""
        return self.cell is not None and self.cell.shown

    def fmt(self, name: str, digits: int = 0) -> str:
        """A published figure in the language's format, or a dash."""
        value = getattr(self.cell, name) if self.cell is not None else None
        return number(value, digits, self.lang)

    @property
    def comparison(self) -> str:
        """The comparison verdict in words."""
        code = self.cell.comparison_verdict if self.cell is not None else None
        return translate(f"cmp.{COMPARISON_KEYS.get(code or '', 'none')}", self.lang)

    @property
    def comparison_tone(self) -> str:
        """"good" / "bad" for a supported comparison, else "neutral"."""
        code = self.cell.comparison_verdict if self.cell is not None else None
        if code not in ("higher", "lower"):
            return "neutral"
        return "bad" if worse_than_rest(code, self.column.direction) else "good"

    @property
    def change(self) -> str:
        """The change verdict since the previous wave in words."""
        code = self.cell.change_verdict if self.cell is not None else None
        return trend_words(code or "none", self.column.direction, self.lang)

    @property
    def change_tone(self) -> str:
        """"good" / "bad" / "neutral"."""
        code = self.cell.change_verdict if self.cell is not None else None
        return trend_tone(code or "none", self.column.direction)

    @property
    def agreement(self) -> str:
        """Agreement within the unit in words (collective scales only)."""
        code = self.cell.agreement if self.cell is not None else None
        return translate(f"agree.{code}", self.lang) if code else "–"

    @property
    def dependable(self) -> str:
        """Whether the unit mean is reliable enough to compare units."""
        value = self.cell.mean_reliability if self.cell is not None else None
        if value is None:
            return ""
        return translate("unit.mean_dependable" if value >= DEPENDABLE
                         else "unit.mean_undependable", self.lang)


@dataclass(frozen=True)
class Trend:
    """An instrument's observed scores of the unit over the waves that asked it."""

    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    printed: tuple[tuple[str, tuple[str, ...]], ...]  # the series as the table prints them
    events: tuple[tuple[str, str, str], ...]  # (wave label after it, title, date)
    chart: str


@dataclass(frozen=True)
class ItemTable:
    """One scale's answer distributions over a unit's subtree, as its report prints them."""

    title: str
    options: tuple[str, ...]
    rows: tuple[tuple[str, str, int, tuple[str, ...]], ...]  # code, question, n, % per option
    chart: str


def item_tables(wave: Wave, position: int, key: str, lang: str) -> list[ItemTable]:
    """The published answer counts of the unit at `position` for one instrument, per scale
    (a published item has at least k answers and its unit is shown)."""
    published = {r.item_code: r for r in db.session.scalars(sa.select(PublishedItem).where(
        PublishedItem.wave_id == wave.id, PublishedItem.position == position,
        PublishedItem.instrument_key == key))}
    out = []
    for scale in get_instrument(key).scales:
        items = [i for dim in scale.dimensions for i in dim.items if i.code in published]
        if not items:
            continue
        options = tuple(o.label.get(lang) for o in scale.options)
        shares = [[c / published[i.code].n for c in map(int, published[i.code].counts.split(","))]
                  for i in items]
        chart = charts.diverging_bars(
            [f"{i.code}{' (R)' if i.reverse else ''} {i.text.get(lang)}" for i in items],
            shares, options)
        out.append(ItemTable(scale.name.get(lang), options, tuple(
            (i.code, i.text.get(lang), published[i.code].n,
             tuple(percent(x, lang) for x in share))
            for i, share in zip(items, shares, strict=True)), chart))
    return out


def unit_position_or_404(units: Sequence[WaveUnit], unit_id: int) -> int:
    """The layout position of a unit the current user may see (403 outside the subtree)."""
    visible = visible_unit_ids()
    if visible is not None and unit_id not in visible:
        abort(403)
    for u in units:
        if u.unit_id == unit_id:
            return u.position
    abort(404)


def shown_ancestor(units: Sequence[WaveUnit], position: int) -> WaveUnit | None:
    """The nearest unit above a hidden one whose results are published (its respondents
    count there, as the unit report says)."""
    parent = units[position].parent_position
    while parent is not None and units[parent].respondents is None:
        parent = units[parent].parent_position
    return units[parent] if parent is not None else None


def scores_by_wave(waves: Sequence[Wave], unit_id: int, key: str
                   ) -> dict[int, dict[str, float | None]]:
    """Observed 0-100 scores of one unit per wave and dimension, from each wave's published
    cells (matched by unit through that wave's frozen layout; NaN-free: None = not shown)."""
    rows = db.session.execute(
        sa.select(PublishedCell.wave_id, PublishedCell.dimension, PublishedCell.score100)
        .join(WaveUnit, sa.and_(WaveUnit.wave_id == PublishedCell.wave_id,
                                WaveUnit.position == PublishedCell.position))
        .where(PublishedCell.wave_id.in_([w.id for w in waves]), WaveUnit.unit_id == unit_id,
               PublishedCell.instrument_key == key, PublishedCell.cut == "",
               PublishedCell.shown))
    out: dict[int, dict[str, float | None]] = {}
    for wave_id, dim, value in rows:
        out.setdefault(wave_id, {})[dim] = value
    return out


def trend_of(wave: Wave, group: Group, unit_id: int, subtree_ids: set[int],
             lang: str) -> Trend:
    """The unit's trend for one instrument over the earlier closed waves that asked it."""
    waves = [w for w in earlier_waves(wave) if group.key in w.instrument_keys] + [wave]
    scores = scores_by_wave(waves, unit_id, group.key)
    labels = tuple(w.period for w in waves)
    series = tuple((c.name, tuple(scores.get(w.id, {}).get(c.code) for w in waves))
                   for c in group.columns)
    events = []
    for _code, _name, held_on, title, hours, _provider in training_log(subtree_ids):
        after = next((w for w in waves if w.opens_on > held_on), None)
        if after is not None:
            events.append((after.period, f"{title} ({hours:g} JP)", f"{held_on:%d-%m-%Y}"))
    chart = charts.trend_chart(labels, series, [(e[0], e[1]) for e in events],
                               y_label=translate("chart.score_axis", lang),
                               event_label=translate("chart.training", lang))
    printed = tuple((name, tuple(score(v, lang) for v in values)) for name, values in series)
    return Trend(labels, series, printed, tuple(events), chart)


def action_kind(kind: str, lang: str) -> str:
    """A catalogue action's kind in words (as the unit report prints it)."""
    key = f"action.{kind}"
    return translate(key, lang) if key in ACTION_KINDS else kind


@dataclass(frozen=True)
class FollowupLine:
    """A targeted dimension's follow-up as the unit page prints it (analysis.did)."""

    row: FollowupRow
    lang: str

    @property
    def name(self) -> str:
        """The dimension's name."""
        return self.row.name.get(self.lang)

    @property
    def instrument(self) -> str:
        """The instrument's title."""
        return self.row.instrument.get(self.lang)

    def fmt(self, name: str) -> str:
        """A change or difference on 0-100 with its sign, or a dash."""
        return signed(getattr(self.row, name), self.lang)

    @property
    def words(self) -> str:
        """The plain-words sentence (it claims no cause)."""
        r = self.row
        return followup_words(r.verdict, r.reason, r.direction, self.lang,
                              difference=r.difference100, ci_low=r.ci_low100,
                              ci_high=r.ci_high100, mdd=r.mdd100,
                              n_comparison=r.n_comparison, min_comparison=r.min_comparison)


def followup_lines(wave: Wave, unit_id: int, lang: str
                   ) -> tuple[str, list[FollowupLine], str]:
    """The earlier wave's label, the unit's follow-ups of targeted dimensions and their
    chart (differences with intervals; "" when none is estimable)."""
    previous = followup.previous_culture_wave(wave)
    treated = followup.treated_dimensions(previous, wave)
    lines = [FollowupLine(r, lang) for r in
             followup.followup_rows(followup.followup_of(unit_id, wave, treated))]
    drawn = [f for f in lines if f.row.difference100 is not None]
    chart = charts.difference_chart(
        [f.name for f in drawn], [f.row.difference100 for f in drawn],
        [f.row.ci_low100 for f in drawn], [f.row.ci_high100 for f in drawn],
        x_label=_("selisih perubahan, poin 0–100 (rentang 95%%)")) if drawn else ""
    return (previous.period if previous is not None else ""), lines, chart


# ---------------------------------------------------------------- views

@bp.app_template_global()
def has_culture_results(wave: Wave) -> bool:
    """The wave has results pages: it is closed and asked a culture instrument."""
    return wave.state == WaveState.CLOSED and bool(culture_keys(wave))


@bp.route("/")
@login_required()
def index() -> ResponseReturnValue:
    """The closed culture waves that have results."""
    waves = db.session.scalars(sa.select(Wave).where(Wave.state == WaveState.CLOSED.value)
                               .order_by(Wave.opens_on.desc(), Wave.name))
    return render_template("hr/results/index.html",
                           waves=[w for w in waves if culture_keys(w)])


def _overview_rows(wave: Wave, lang: str
                   ) -> tuple[list[Group], dict[CellKey, PublishedCell], list[Row]]:
    groups = groups_of(wave, lang)
    cells = whole_unit_cells(wave)
    return groups, cells, rows_of(wave, groups, cells,
                                  layout_counts(wave, visible_unit_ids()), lang)


@bp.route("/<int:wave_id>")
@login_required()
def overview(wave_id: int) -> ResponseReturnValue:
    """The heatmap of units x dimensions, response rates and the units that need attention;
    a unit head sees their own subtree only."""
    wave = culture_wave_or_409(wave_id)
    lang = current_lang()
    groups, cells, rows = _overview_rows(wave, lang)
    parts = heatmap_parts(rows)
    pictures = ([heatmap_picture(part, groups, lang) for part in parts]
                if len(parts) <= INLINE_PICTURES else
                [url_for("results.heatmap_svg", wave_id=wave.id, part=i, lang=lang)
                 for i in range(len(parts))])
    return render_template("hr/results/overview.html", wave=wave, groups=groups, rows=rows,
                           attention=attention_of(rows, cells, lang), pictures=pictures,
                           hidden_legend=translate("mark.hidden_legend", lang, k=wave.k),
                           hidden_mark=translate("mark.hidden", lang))


@bp.route("/<int:wave_id>/peta-<int:part>.svg")
@login_required()
def heatmap_svg(wave_id: int, part: int) -> ResponseReturnValue:
    """One picture of a large tree's heatmap (the rows the user may see)."""
    wave = culture_wave_or_409(wave_id)
    lang = current_lang()
    groups, _cells, rows = _overview_rows(wave, lang)
    parts = heatmap_parts(rows)
    if part >= len(parts):
        abort(404)
    uri = heatmap_picture(parts[part], groups, lang)
    data = base64.b64decode(uri.split(",", 1)[1])
    return Response(data, content_type="image/svg+xml",
                    headers={"Cache-Control": "private, no-store"})


@bp.route("/<int:wave_id>/unit/<int:unit_id>")
@login_required()
def unit(wave_id: int, unit_id: int) -> ResponseReturnValue:
    """One unit: scores with intervals, verdicts, measurement quality, trend, actions."""
    wave = culture_wave_or_409(wave_id)
    lang = current_lang()
    units = layout(wave)
    position = unit_position_or_404(units, unit_id)
    groups = groups_of(wave, lang)
    cells = whole_unit_cells(wave)
    visible = visible_unit_ids()
    count = next(c for c in layout_counts(wave, None) if c.unit.position == position)
    row = rows_of(wave, groups, cells, [count], lang)[0]
    sections = [(grp, [DimensionLine(c, cells.get((position, c.key, c.code)), lang)
                       for c in grp.columns]) for grp in groups]
    subtree = {units[v].unit_id for v in subtree_positions(units, position)}
    trends = {grp.key: trend_of(wave, grp, unit_id, subtree, lang) for grp in groups} \
        if row.shown else {}
    items = {grp.key: item_tables(wave, position, grp.key, lang) for grp in groups} \
        if row.shown else {}
    parent = units[row.unit.parent_position] if row.unit.parent_position is not None else None
    children = [u for u in units if u.parent_position == position
                and (visible is None or u.unit_id in visible)]
    included = None if row.shown else shown_ancestor(units, position)
    actions = [(line.column, [(action_kind(a.kind, lang), a.text.get(lang))
                              for a in line.column.actions])
               for _grp, lines in sections for line in lines
               if line.comparison_tone == "bad" and line.column.actions]
    followup_since, followups, followup_chart = (followup_lines(wave, unit_id, lang)
                                                 if row.shown else ("", [], ""))
    return render_template(
        "hr/results/unit.html", wave=wave, row=row, sections=sections, trends=trends,
        items=items,
        followup_since=followup_since, followups=followups, followup_chart=followup_chart,
        included_in=included, can_open_included=included is not None and (
            visible is None or included.unit_id in visible),
        parent=parent if parent is not None and (visible is None or parent.unit_id in visible)
        else None, children=children, actions=actions,
        hidden_legend=translate("mark.hidden_legend", lang, k=wave.k))
