"""SKM follow-up plans (rencana tindak lanjut) and citizens' consultation forums.

A follow-up line belongs to a service unit of a closed SKM wave (one period) and names the
unsur it improves; the unsur to take first are `analysis.skm.priority_unsur` of the period's
NRR. A forum belongs to a unit and a date; its needs are mapped to an SKM unsur or a culture
dimension so that they stand next to the SKM results and the unit's development plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from instruments.model import Text
from reports.build import instrument_dimensions
from reports.context import ForumLine, SkmFollowUpLine

from ..extensions import db
from ..instrument_store import available_instruments, get_instrument, is_skm
from ..models import (
    FOLLOW_UP_STATUSES,
    ConsultationForum,
    ForumNeed,
    SkmFollowUp,
    Unit,
    Wave,
    WaveState,
)
from .rules import RuleError
from .waves import add_audit_entry

NEED_KINDS = ("unsur", "dimension", "")
MAX_NEEDS = 5


class FollowUpRuleError(RuleError):
    """A follow-up line or forum breaks a rule."""


@dataclass(frozen=True)
class NeedInput:
    """A need as typed: its words and what it is mapped to ("unsur:SKM-U3",
    "dimension:learning@1.0:LC-CL", or "" for neither)."""

    text: str
    target: str = ""


def add_follow_up(wave: Wave, unit: Unit, *, unsur: str, unsur_codes: Sequence[str],
                  action: str, owner: str, due_on: dt.date, actor: str) -> SkmFollowUp:
    """A follow-up line of a service unit of a closed SKM wave (audited)."""
    if not is_skm(wave) or wave.state != WaveState.CLOSED:
        raise FollowUpRuleError("not_closed_skm", wave.name)
    if unit not in wave.units:
        raise FollowUpRuleError("unit_not_in_wave", unit.name)
    if unsur not in unsur_codes:
        raise FollowUpRuleError("unknown_unsur", unsur)
    if not action.strip():
        raise FollowUpRuleError("empty_action")
    if not owner.strip():
        raise FollowUpRuleError("empty_owner")
    line = SkmFollowUp(wave_id=wave.id, unit_id=unit.id, unsur=unsur, action=action.strip(),
                       owner=owner.strip(), due_on=due_on, status=FOLLOW_UP_STATUSES[0])
    db.session.add(line)
    db.session.flush()
    add_audit_entry(actor, "skm.follow_up", wave.id,
                    f"{unit.code} {unsur}: {action.strip()[:80]}")
    return line


def set_follow_up_status(line: SkmFollowUp, status: str, actor: str) -> None:
    """Move a follow-up line to another status (audited)."""
    if status not in FOLLOW_UP_STATUSES:
        raise FollowUpRuleError("unknown_status", status)
    if status != line.status:
        add_audit_entry(actor, "skm.follow_up_status", line.wave_id,
                        f"{line.unsur}: {line.status} -> {status}")
        line.status = status
        db.session.flush()


def follow_ups(wave_id: int, unit_id: int) -> list[SkmFollowUp]:
    """A service unit's follow-up lines of a wave by unsur, then deadline."""
    return list(db.session.scalars(sa.select(SkmFollowUp).where(
        SkmFollowUp.wave_id == wave_id, SkmFollowUp.unit_id == unit_id)
        .order_by(SkmFollowUp.unsur, SkmFollowUp.due_on, SkmFollowUp.id)))


def add_forum(*, unit: Unit, held_on: dt.date, topic: str, participants: int,
              needs: Sequence[NeedInput], targets: Sequence[str], actor: str
              ) -> ConsultationForum:
    """Record a consultation forum and its needs (blank needs are skipped; audited).

    `targets` are the mappings a need may carry (see `NeedInput`).
    """
    if not topic.strip():
        raise FollowUpRuleError("empty_topic")
    if participants < 1:
        raise FollowUpRuleError("bad_participants", str(participants))
    given = [n for n in needs if n.text.strip()]
    if not given:
        raise FollowUpRuleError("no_needs")
    if len(given) > MAX_NEEDS:
        raise FollowUpRuleError("too_many_needs", str(len(given)))
    rows = []
    for need in given:
        if need.target and need.target not in targets:
            raise FollowUpRuleError("unknown_target", need.target)
        kind, _, code = need.target.partition(":")
        rows.append(ForumNeed(text=need.text.strip(), target_kind=kind, target=code))
    forum = ConsultationForum(unit=unit, held_on=held_on, topic=topic.strip(),
                              participants=participants, needs=rows)
    db.session.add(forum)
    db.session.flush()
    add_audit_entry(actor, "forum.add", None, f"{unit.code}: {topic.strip()[:80]} "
                    f"({participants}, {len(rows)})")
    return forum


def forums_of(unit_ids: set[int] | None, year: str | None = None) -> list[ConsultationForum]:
    """Forums of the units (None: all), newest first; of one calendar year when given."""
    query = sa.select(ConsultationForum).order_by(ConsultationForum.held_on.desc(),
                                                  ConsultationForum.id.desc())
    if unit_ids is not None:
        query = query.where(ConsultationForum.unit_id.in_(unit_ids))
    if year is not None:
        start = dt.date(int(year), 1, 1)
        query = query.where(ConsultationForum.held_on >= start,
                            ConsultationForum.held_on < start.replace(year=start.year + 1))
    return list(db.session.scalars(query))


def target_text(kind: str, code: str) -> Text | None:
    """What a forum need concerns, named in both languages (None: not mapped, or no longer
    in any instrument)."""
    for instrument in available_instruments():
        if (kind == "unsur") != (instrument.kind == "skm"):
            continue
        ident, _, dim_code = code.rpartition(":") if kind == "dimension" else ("", "", code)
        if kind == "dimension" and instrument.id != ident:
            continue
        for _scale, dim in instrument_dimensions(instrument):
            if dim.code == dim_code:
                if kind == "unsur":
                    return dim.name
                return Text(f"{instrument.title.id}: {dim.name.id}",
                            f"{instrument.title.en}: {dim.name.en}")
    return None


def report_lines(wave: Wave, unit: Unit
                 ) -> tuple[tuple[SkmFollowUpLine, ...], tuple[ForumLine, ...]]:
    """A service unit's follow-up lines of an SKM wave and its forums of the period's year, as
    the SKM report prints them."""
    names = {d.code: d.name for _s, d in
             instrument_dimensions(get_instrument(wave.instrument_keys[0]))}
    lines = tuple(SkmFollowUpLine(names.get(f.unsur, Text(f.unsur, f.unsur)), f.action,
                                  f.owner, f.due_on.isoformat(), f.status)
                  for f in follow_ups(wave.id, unit.id))
    year = wave.period[:4] if wave.period[:4].isdigit() else str(wave.opens_on.year)
    forums = tuple(ForumLine(f.held_on.isoformat(), f.topic, f.participants,
                             tuple((n.text, target_text(n.target_kind, n.target))
                                   for n in f.needs))
                   for f in reversed(forums_of({unit.id}, year)))
    return lines, forums
