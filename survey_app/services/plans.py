"""Development plans per unit and year (Rencana Pengembangan Kompetensi, PP 11/2017).

A plan is drafted from what a closed culture wave published for the unit (`PublishedCell`,
never the answers): only a dimension whose shown cell carries a supported verdict that the
unit is worse than the rest of the organisation or than the previous wave (the rule of
`services.verdicts`, shared with the results pages) proposes actions, taken from the
instrument's catalogue and from the organisation's active learning offers. HR then edits the
plan. JP delivered are aggregates of training events: sum(hours_jp x participants).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from instruments.model import Direction

from ..extensions import db
from ..instrument_store import get_instrument
from ..models import (
    ACTION_STATUSES,
    PLAN_PATHS,
    PLAN_STATUSES,
    TARGET_GROUPS,
    DevelopmentPlan,
    LearningOffer,
    PlanAction,
    PublishedCell,
    TrainingEvent,
    Unit,
    Wave,
    WaveState,
)
from .publication import culture_keys, layout
from .rules import RuleError
from .verdicts import worse_than_before, worse_than_rest
from .waves import add_audit_entry, add_training

#: JP per ASN per year that PP 11/2017 (Pasal 203) asks for.
JP_TARGET_PER_ASN = 20
#: The development path of each kind of the instruments' catalogue; "other" actions
#: (reviews, meeting habits) are learning at work, the coaching/mentoring path.
KIND_PATHS = {"training": "klasikal", "elearning": "elearning", "coaching": "coaching",
              "other": "coaching"}
#: A drafted action's JP until HR sets them: one day of classroom learning (8 x 45 minutes).
DRAFT_HOURS_JP = 8.0
MAX_HOURS_JP = 1000.0
MAX_BUDGET = 10**13  # rupiah; far above any unit's budget, keeps the integer in range


class PlanRuleError(RuleError):
    """A plan change that breaks a rule."""


# ---------------------------------------------------------------- drafting from the evidence

@dataclass(frozen=True)
class Weakness:
    """A dimension the unit's published evidence supports as weak, and why."""

    instrument_key: str
    dimension: str
    name: str
    worse_than_rest: bool
    worse_than_before: bool


@dataclass(frozen=True)
class Proposal:
    """An action proposed for a weak dimension (from the catalogue or an offer)."""

    instrument_key: str
    dimension: str
    title: str
    path: str
    provider: str = ""
    url: str = ""
    from_offer: bool = False


@dataclass(frozen=True)
class Draft:
    """What a closed wave supports for one unit: its weak dimensions and the proposals.

    `reason` says why nothing is proposed: "hidden" (no cell of the unit is published),
    "no_weakness" (cells are published but no verdict supports a weakness), "no_actions"
    (weak dimensions without catalogue actions or offers), else "".
    """

    wave: Wave
    unit: Unit
    shown_cells: int
    hidden_cells: int
    weaknesses: tuple[Weakness, ...]
    proposals: tuple[Proposal, ...]

    @property
    def reason(self) -> str:
        """Why no action is proposed ("" when some are)."""
        if self.proposals:
            return ""
        if not self.shown_cells:
            return "hidden"
        return "no_actions" if self.weaknesses else "no_weakness"


def same_instrument(a: str | None, b: str | None) -> bool:
    """Two instrument keys name the same instrument (any version)."""
    return a is not None and b is not None and a.partition("@")[0] == b.partition("@")[0]


def unit_cells(wave: Wave, unit_id: int) -> dict[tuple[str, str], PublishedCell]:
    """The wave's published whole-unit cells of one unit, by (instrument key, dimension)."""
    if wave.state != WaveState.CLOSED:
        raise PlanRuleError("wave_not_closed", wave.name)
    position = next((u.position for u in layout(wave) if u.unit_id == unit_id), None)
    if position is None:
        raise PlanRuleError("unit_not_in_wave", wave.name)
    rows = db.session.scalars(sa.select(PublishedCell).where(
        PublishedCell.wave_id == wave.id, PublishedCell.position == position,
        PublishedCell.cut == ""))
    return {(c.instrument_key, c.dimension): c for c in rows}


def draft_plan(unit: Unit, wave: Wave, lang: str = "id") -> Draft:
    """The actions a closed wave's published results support for `unit`."""
    keys = culture_keys(wave)
    if not keys:
        raise PlanRuleError("no_culture", wave.name)
    cells = unit_cells(wave, unit.id)
    offers = list(db.session.scalars(sa.select(LearningOffer).where(LearningOffer.active)
                                     .order_by(LearningOffer.title)))
    weak: list[Weakness] = []
    proposals: list[Proposal] = []
    shown = hidden = 0
    for key in keys:
        instrument = get_instrument(key)
        for scale in instrument.scales:
            for dim in scale.dimensions:
                cell = cells.get((key, dim.code))
                if cell is None or not cell.shown:  # hidden below k: proposes nothing
                    hidden += 1
                    continue
                shown += 1
                w = _weakness(key, dim.code, dim.name.get(lang), cell, scale.direction)
                if w is None:
                    continue
                weak.append(w)
                proposals.extend(
                    Proposal(key, dim.code, a.text.get(lang), KIND_PATHS[a.kind])
                    for a in dim.actions)
                proposals.extend(
                    Proposal(key, dim.code, o.title, o.path, o.provider, o.url, True)
                    for o in offers
                    if same_instrument(o.instrument_key, key) and o.dimension == dim.code)
    return Draft(wave, unit, shown, hidden, tuple(weak), tuple(proposals))


def _weakness(key: str, code: str, name: str, cell: PublishedCell,
              direction: Direction) -> Weakness | None:
    rest = worse_than_rest(cell.comparison_verdict, direction)
    before = worse_than_before(cell.change_verdict, direction)
    return Weakness(key, code, name, rest, before) if rest or before else None


def plan_of(unit_id: int, year: int) -> DevelopmentPlan | None:
    """The unit's plan of that year, if any."""
    return db.session.scalar(sa.select(DevelopmentPlan).where(
        DevelopmentPlan.unit_id == unit_id, DevelopmentPlan.year == year))


def create_plan(draft: Draft, year: int, *, actor: str) -> DevelopmentPlan:
    """A draft plan for the unit and year holding the draft's proposals (HR edits them)."""
    _check_year(year)
    if plan_of(draft.unit.id, year) is not None:
        raise PlanRuleError("plan_exists", f"{draft.unit.name} {year}")
    plan = DevelopmentPlan(unit=draft.unit, year=year, wave=draft.wave, status="draft")
    plan.actions = [PlanAction(title=p.title[:300], instrument_key=p.instrument_key,
                               dimension=p.dimension, competence="", target_group="semua",
                               path=p.path, provider=p.provider[:200], start_month=1,
                               end_month=12, hours_jp=DRAFT_HOURS_JP, budget=0,
                               status="direncanakan") for p in draft.proposals]
    db.session.add(plan)
    db.session.flush()
    add_audit_entry(actor, "plan.create", draft.wave.id,
                    f"{draft.unit.code} {year}: {len(plan.actions)} actions")
    return plan


# ---------------------------------------------------------------- editing

@dataclass(frozen=True)
class ActionFields:
    """What HR types for a plan action; `target` is "" or "instrument_key|dimension"."""

    title: str
    target: str
    competence: str
    target_group: str
    path: str
    provider: str
    start_month: int
    end_month: int
    hours_jp: float
    budget: int
    status: str


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise PlanRuleError("bad_year", str(year))


def _checked(fields: ActionFields) -> tuple[str | None, str | None]:
    """Check every rule of an action; the target as (instrument key, dimension)."""
    if not fields.title.strip():
        raise PlanRuleError("empty_title")
    key, _sep, dim = fields.target.partition("|")
    if fields.target and (not key or not dim):
        raise PlanRuleError("bad_target", fields.target)
    if not fields.target and not fields.competence.strip():
        raise PlanRuleError("no_target")
    for value, allowed, reason in ((fields.target_group, TARGET_GROUPS, "bad_group"),
                                   (fields.path, PLAN_PATHS, "bad_path"),
                                   (fields.status, ACTION_STATUSES, "bad_status")):
        if value not in allowed:
            raise PlanRuleError(reason, value)
    if not (1 <= fields.start_month <= 12 and 1 <= fields.end_month <= 12):
        raise PlanRuleError("bad_month", f"{fields.start_month}–{fields.end_month}")
    if fields.end_month < fields.start_month:
        raise PlanRuleError("months_order", f"{fields.start_month}–{fields.end_month}")
    if not 0 < fields.hours_jp <= MAX_HOURS_JP:
        raise PlanRuleError("bad_hours", f"{fields.hours_jp:g}")
    if not 0 <= fields.budget <= MAX_BUDGET:
        raise PlanRuleError("bad_budget", str(fields.budget))
    return (key, dim) if fields.target else (None, None)


def _apply(action: PlanAction, fields: ActionFields) -> None:
    action.instrument_key, action.dimension = _checked(fields)
    action.title = fields.title.strip()
    action.competence = fields.competence.strip()
    action.target_group = fields.target_group
    action.path = fields.path
    action.provider = fields.provider.strip()
    action.start_month, action.end_month = fields.start_month, fields.end_month
    action.hours_jp, action.budget, action.status = fields.hours_jp, fields.budget, fields.status


def add_action(plan: DevelopmentPlan, fields: ActionFields, *, actor: str) -> PlanAction:
    """A new action of the plan."""
    action = PlanAction(plan=plan)
    _apply(action, fields)
    db.session.add(action)
    db.session.flush()
    add_audit_entry(actor, "plan.action_add", plan.wave_id,
                    f"{plan.unit.code} {plan.year}: {action.title}")
    return action


def update_action(action: PlanAction, fields: ActionFields, *, actor: str) -> None:
    """Change an action (every field checked)."""
    _apply(action, fields)
    db.session.flush()
    add_audit_entry(actor, "plan.action_update", action.plan.wave_id,
                    f"{action.plan.unit.code} {action.plan.year}: {action.title}")


def remove_action(action: PlanAction, *, actor: str) -> None:
    """Remove an action; training events recorded against it keep their hours, unlinked."""
    plan = action.plan
    add_audit_entry(actor, "plan.action_remove", plan.wave_id,
                    f"{plan.unit.code} {plan.year}: {action.title}")
    db.session.execute(sa.update(TrainingEvent).where(TrainingEvent.plan_action_id == action.id)
                       .values(plan_action_id=None))  # SQLite without foreign keys too
    plan.actions.remove(action)
    db.session.flush()


def set_plan_status(plan: DevelopmentPlan, status: str, *, actor: str) -> None:
    """Approve a plan or put it back to draft."""
    if status not in PLAN_STATUSES:
        raise PlanRuleError("bad_plan_status", status)
    if status == "approved" and not plan.actions:
        raise PlanRuleError("empty_plan", f"{plan.unit.name} {plan.year}")
    plan.status = status
    add_audit_entry(actor, f"plan.{status}", plan.wave_id, f"{plan.unit.code} {plan.year}")
    db.session.flush()


# ---------------------------------------------------------------- learning offers

@dataclass(frozen=True)
class OfferFields:
    """What HR types for a learning offer; `target` is "" or "instrument_key|dimension"."""

    title: str
    path: str
    provider: str
    url: str
    target: str
    active: bool


def _apply_offer(offer: LearningOffer, fields: OfferFields) -> None:
    if not fields.title.strip():
        raise PlanRuleError("empty_title")
    if fields.path not in PLAN_PATHS:
        raise PlanRuleError("bad_path", fields.path)
    url = fields.url.strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise PlanRuleError("bad_url", url)
    key, _sep, dim = fields.target.partition("|")
    if fields.target and (not key or not dim):
        raise PlanRuleError("bad_target", fields.target)
    offer.title, offer.path = fields.title.strip(), fields.path
    offer.provider, offer.url = fields.provider.strip(), url
    offer.instrument_key, offer.dimension = (key, dim) if fields.target else (None, None)
    offer.active = fields.active


def add_offer(fields: OfferFields, *, actor: str) -> LearningOffer:
    """A new learning offer of the organisation."""
    offer = LearningOffer()
    _apply_offer(offer, fields)
    db.session.add(offer)
    db.session.flush()
    add_audit_entry(actor, "offer.add", None, offer.title)
    return offer


def update_offer(offer: LearningOffer, fields: OfferFields, *, actor: str) -> None:
    """Change a learning offer (or retire it: inactive offers are proposed no more)."""
    _apply_offer(offer, fields)
    db.session.flush()
    add_audit_entry(actor, "offer.update", None, offer.title)


# ---------------------------------------------------------------- training and JP

def record_training(*, unit: Unit, held_on: dt.date, title: str, hours_jp: float,
                    provider: str, participants: int, plan_action: PlanAction | None,
                    actor: str) -> TrainingEvent:
    """Log a training event, optionally delivering an action of the same unit's plan."""
    if participants < 1:
        raise PlanRuleError("bad_participants", str(participants))
    if plan_action is not None and plan_action.plan.unit_id != unit.id:
        raise PlanRuleError("action_other_unit", plan_action.plan.unit.name)
    event = add_training(unit=unit, held_on=held_on, title=title, hours_jp=hours_jp,
                         provider=provider, actor=actor)
    event.participants = participants
    event.plan_action = plan_action
    if plan_action is not None:
        add_audit_entry(actor, "plan.training", plan_action.plan.wave_id,
                        f"{unit.code} {plan_action.plan.year}: {plan_action.title}")
    db.session.flush()
    return event


@dataclass(frozen=True)
class JpLine:
    """JP delivered to a unit in a year against the target of 20 JP per ASN."""

    unit: Unit
    depth: int
    delivered: float  # sum(hours_jp x participants) of the unit's events in the year
    events: int

    @property
    def target(self) -> int:
        """20 JP x the unit's current headcount."""
        return JP_TARGET_PER_ASN * self.unit.headcount

    @property
    def per_asn(self) -> float | None:
        """JP delivered per ASN of the unit (None without a headcount)."""
        return self.delivered / self.unit.headcount if self.unit.headcount else None

    @property
    def share(self) -> float | None:
        """Delivered / target (None without a headcount)."""
        return self.delivered / self.target if self.target else None


def jp_delivered(unit_ids: Sequence[int], year: int) -> dict[int, tuple[float, int]]:
    """(sum of hours_jp x participants, number of events) per unit in the calendar year."""
    rows = db.session.execute(
        sa.select(TrainingEvent.unit_id,
                  sa.func.sum(TrainingEvent.hours_jp * TrainingEvent.participants),
                  sa.func.count())
        .where(TrainingEvent.unit_id.in_(unit_ids),
               TrainingEvent.held_on >= dt.date(year, 1, 1),
               TrainingEvent.held_on <= dt.date(year, 12, 31))
        .group_by(TrainingEvent.unit_id))
    return {uid: (float(total or 0), int(n)) for uid, total, n in rows}


def jp_summary(units: Sequence[tuple[Unit, int]], year: int) -> list[JpLine]:
    """A JP line per unit (in the order given) for the year."""
    delivered = jp_delivered([u.id for u, _d in units], year)
    return [JpLine(u, d, *delivered.get(u.id, (0.0, 0))) for u, d in units]


def action_jp(action_ids: Sequence[int]) -> dict[int, float]:
    """JP delivered per plan action (sum of hours_jp x participants of its events)."""
    rows = db.session.execute(
        sa.select(TrainingEvent.plan_action_id,
                  sa.func.sum(TrainingEvent.hours_jp * TrainingEvent.participants))
        .where(TrainingEvent.plan_action_id.in_(action_ids))
        .group_by(TrainingEvent.plan_action_id))
    return {int(aid or 0): float(total or 0) for aid, total in rows}


def plan_totals(plan: DevelopmentPlan) -> tuple[float, int]:
    """JP per participant and budget over the actions that are not cancelled."""
    live = [a for a in plan.actions if a.status != "dibatalkan"]
    return sum(a.hours_jp for a in live), sum(a.budget for a in live)


def targeted_dimensions(after: dt.date, until: dt.date) -> dict[tuple[str, str], set[int]]:
    """(instrument key, dimension) -> ids of the units that held training against a plan
    action targeting that dimension, dated after `after` and up to `until` (inclusive).

    The input "which unit's actions targeted which dimension between two waves" that the
    follow-up (difference in differences) needs; a planned action without a training event
    held in the period did not happen, so it does not count."""
    rows = db.session.execute(
        sa.select(PlanAction.instrument_key, PlanAction.dimension, TrainingEvent.unit_id)
        .join(TrainingEvent, TrainingEvent.plan_action_id == PlanAction.id)
        .where(PlanAction.dimension.is_not(None), TrainingEvent.held_on > after,
               TrainingEvent.held_on <= until).distinct())
    out: dict[tuple[str, str], set[int]] = {}
    for key, dim, unit_id in rows:
        out.setdefault((str(key), str(dim)), set()).add(int(unit_id))
    return out
