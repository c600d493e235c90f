"""Respondents' comments: stored redacted and unlinkable, shown only in groups of at least 10.

Storing (`add_comment`, inside the submission's transaction): the text is redacted
(`services.redaction`) before it reaches the session, so the typed text is never stored or
logged. The row holds the wave, the unit, the redacted text and the hidden flag: no response
id, no time, a random id. A SQLite page keeps its cells in insertion order and a PostgreSQL
heap its rows, so every new comment rewrites the comments of its wave and unit in a fresh
random order: where a comment sits among its unit's comments says nothing of when it came,
and so nothing of which of the unit's responses came with it (the unit is on both rows
anyway). The id's first four bytes are derived from the wave and unit (`comment_id`), so a
unit's comments lie together in key order: deleting them empties their pages, and the
rewrite fills fresh pages instead of the holes the old cells left, where the one new cell,
having no hole of its own, would stand out. The cost grows with the unit's comments, not the
wave's. Closing the wave rewrites them once more (`services.storage`).

Showing (`comment_groups`, rule 4 of design/anonymity.md with k = max(10, wave k)): comments
are shown only for a closed wave and only pooled at parent level. Going up the wave's frozen
unit tree from the leaves, each unit's comments wait at that unit; a unit that has sub-units
takes everything waiting in its subtree as one group when that group's units had, together,
at least k respondents and at least two of them had respondents. Otherwise it passes them up
to its parent. What reaches the top without meeting the rule is never shown. The groups are
disjoint and the same for every reader, so no two views subtract to a smaller group; a unit
head sees a group only when all its units are in the head's subtree, so a unit below k never
sees its own comments. Each view shuffles the comments afresh; no date is stored or shown.

Citizens' suggestions (saran) of an SKM wave are shown per service unit, once the unit has at
least k respondents: citizens answer as members of the public, not as colleagues in a small
team whom a turn of phrase identifies, and the regulation reports each service unit on its
own. The groups are still disjoint, so no two views subtract.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..instrument_store import is_skm
from ..models import COMMENT_STORED_MAX, Comment, Response, Unit, Wave, WaveUnit
from .redaction import redact

COMMENT_K = 10  # design/anonymity.md rule 4: free text needs groups of at least 10
MIN_UNITS = 2  # a group pools at least two units that had respondents
THEMES_FILE = Path(__file__).resolve().parents[1] / "comment_themes.json"
INSTANCE_THEMES = "comment_themes.json"  # in the instance folder: replaces the shipped map

_COMMENT = Comment.__table__


ROSTER_FILE = "roster.csv"  # in the instance folder, unless LENTERA_ROSTER_FILE names another


def roster_for(unit_id: int) -> tuple[str, ...]:
    """Names to redact from a comment of the unit: every name of the organisation's roster
    file (a colleague may name someone of another unit); none without a file. The database
    holds no staff names; the file is read only here."""
    configured = current_app.config.get("LENTERA_ROSTER_FILE") or ""
    path = Path(configured) if configured else Path(current_app.instance_path) / ROSTER_FILE
    try:
        return _roster(str(path), path.stat().st_mtime_ns) if path.is_file() else ()
    except (OSError, ValueError, UnicodeDecodeError, csv.Error) as exc:
        # The submission is kept and the pattern rules still apply; the log names the file.
        current_app.logger.error("roster %s unreadable: %s", path, type(exc).__name__)
        return ()


@lru_cache(maxsize=2)
def _roster(path: str, _mtime: int) -> tuple[str, ...]:
    """The `name` column of the roster CSV (read again when the file changes)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = csv.DictReader(fh)
        if rows.fieldnames is None or "name" not in rows.fieldnames:
            raise ValueError(f"{path}: kolom 'name' tidak ada / no 'name' column")
        return tuple(sorted({(r["name"] or "").strip() for r in rows} - {""}))


def add_comment(wave_id: int, unit_id: int, typed: str) -> str | None:
    """Redact `typed` and add it to the wave's comments (module docstring); the stored text,
    or None when nothing is left to store."""
    typed = typed.replace("\r\n", "\n")
    text = redact(typed, roster_for(unit_id)).strip()[:COMMENT_STORED_MAX].strip()
    if not text:
        return None
    # Two submissions rewriting the same unit's comments at once would both re-insert the old
    # rows: the unit's row is locked first (PostgreSQL; SQLite already holds its one write
    # lock here). NO KEY UPDATE still lets responses reference the unit meanwhile.
    db.session.execute(sa.select(Unit.id).where(Unit.id == unit_id)
                       .with_for_update(key_share=True))
    same_unit = sa.and_(_COMMENT.c.wave_id == wave_id, _COMMENT.c.unit_id == unit_id)
    rows = [dict(r._mapping) for r in db.session.execute(sa.select(_COMMENT).where(same_unit))]
    rows.append({"id": comment_id(wave_id, unit_id), "wave_id": wave_id, "unit_id": unit_id,
                 "text": text, "hidden": False})
    secrets.SystemRandom().shuffle(rows)
    db.session.execute(sa.delete(_COMMENT).where(same_unit))
    db.session.execute(sa.insert(_COMMENT), rows)
    return text


def comment_id(wave_id: int, unit_id: int) -> uuid.UUID:
    """A random id whose first four bytes name the wave and unit: a unit's comments lie
    together in the key order, so rewriting them empties whole pages."""
    prefix = hashlib.blake2b(f"{wave_id}:{unit_id}".encode(), digest_size=4).digest()
    return uuid.UUID(bytes=prefix + secrets.token_bytes(12))


@dataclass(frozen=True)
class ShownComment:
    """One comment as a page shows it: its id (for moderation), text and hidden flag."""

    id: uuid.UUID
    text: str
    hidden: bool


@dataclass(frozen=True)
class CommentGroup:
    """The comments of one group: pooled at `unit_id` (frozen layout position `position`)
    from the units `unit_ids`, in a fresh random order."""

    position: int
    unit_id: int
    name: str
    unit_ids: frozenset[int]
    comments: tuple[ShownComment, ...]


def comment_k(wave: Wave) -> int:
    """The group size comments need in `wave`."""
    return max(COMMENT_K, wave.k)


def pooling(wave: Wave) -> dict[int, int]:
    """Frozen layout position of each surveyed unit -> position of the group that shows its
    comments; a unit missing here is never shown (module docstring)."""
    nodes = db.session.execute(
        sa.select(WaveUnit.position, WaveUnit.parent_position, WaveUnit.unit_id)
        .where(WaveUnit.wave_id == wave.id).order_by(WaveUnit.position)).all()
    counts: dict[int, int] = {uid: n for uid, n in db.session.execute(
        sa.select(Response.unit_id, sa.func.count()).where(Response.wave_id == wave.id)
        .group_by(Response.unit_id))}
    parent = {pos: par for pos, par, _uid in nodes}
    has_children = {par for _pos, par, _uid in nodes if par is not None}
    waiting: dict[int, list[int]] = {pos: [pos] for pos, _par, _uid in nodes}
    respondents = {pos: counts.get(uid, 0) for pos, _par, uid in nodes}
    group_of: dict[int, int] = {}
    k = comment_k(wave)
    if is_skm(wave):  # citizens' suggestions: per service unit (module docstring)
        return {pos: pos for pos, _par, uid in nodes if respondents[pos] >= k}
    for pos, _par, _uid in reversed(nodes):  # a parent comes before its children
        here = waiting.pop(pos)
        answering = [p for p in here if respondents[p] > 0]
        if pos in has_children and len(answering) >= MIN_UNITS \
                and sum(respondents[p] for p in answering) >= k:
            group_of.update({p: pos for p in here})
        elif (up := parent[pos]) is not None:
            waiting[up] += here
    return group_of


def comment_groups(wave: Wave, visible: Collection[int] | None = None,
                   include_hidden: bool = False) -> list[CommentGroup]:
    """The shown groups of a closed wave in layout order, each comments shuffled afresh;
    `visible`: unit ids the reader may see (None: all), `include_hidden`: moderators."""
    group_of = pooling(wave)
    nodes = {pos: (uid, name) for pos, uid, name in db.session.execute(
        sa.select(WaveUnit.position, WaveUnit.unit_id, WaveUnit.name)
        .where(WaveUnit.wave_id == wave.id))}
    position_of = {uid: pos for pos, (uid, _name) in nodes.items()}
    members: dict[int, set[int]] = {}
    for pos, at in group_of.items():
        members.setdefault(at, set()).add(nodes[pos][0])
    texts: dict[int, list[ShownComment]] = {g: [] for g in members}
    query = sa.select(Comment.id, Comment.unit_id, Comment.text, Comment.hidden) \
        .where(Comment.wave_id == wave.id)
    if not include_hidden:
        query = query.where(Comment.hidden.is_(False))
    for cid, uid, text, hidden in db.session.execute(query):
        group = group_of.get(position_of.get(uid, -1))
        if group is not None:
            texts[group].append(ShownComment(cid, text, hidden))
    shuffle = secrets.SystemRandom().shuffle
    groups = []
    for group_pos in sorted(members):
        if visible is not None and not members[group_pos] <= set(visible):
            continue
        shuffle(texts[group_pos])
        groups.append(CommentGroup(group_pos, nodes[group_pos][0], nodes[group_pos][1],
                                   frozenset(members[group_pos]), tuple(texts[group_pos])))
    return groups


def comment_in_shown_group(wave: Wave, comment_id: uuid.UUID) -> Comment | None:
    """The comment `comment_id` of `wave` if it belongs to a shown group (what a moderator may
    act on), else None."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.wave_id != wave.id:
        return None
    positions = {uid: pos for pos, uid in db.session.execute(
        sa.select(WaveUnit.position, WaveUnit.unit_id).where(WaveUnit.wave_id == wave.id))}
    return comment if positions.get(comment.unit_id, -1) in pooling(wave) else None


# --- themes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    """A theme: an instrument dimension or SKM unsur, and the words that point to it."""

    code: str
    name_id: str
    name_en: str
    keywords: tuple[str, ...]

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_id


class ThemesInvalid(ValueError):
    """The keyword map file cannot be read; the message says where."""


def load_themes(path: Path) -> tuple[Theme, ...]:
    """The keyword map in `path`: a JSON list of {code, name_id, name_en, keywords}."""
    return _load_themes(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _load_themes(path: str, _mtime: int) -> tuple[Theme, ...]:
    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))
        return tuple(Theme(str(e["code"]), str(e["name_id"]), str(e["name_en"]),
                           tuple(str(w).lower() for w in e["keywords"])) for e in entries)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ThemesInvalid(f"{path}: {exc}") from exc


def themes_path(instance_path: str) -> Path:
    """The instance's own keyword map if it has one, else the shipped one."""
    own = Path(instance_path) / INSTANCE_THEMES
    return own if own.is_file() else THEMES_FILE


# Indonesian prefixes before a keyword's stem: `latih` counts in `pelatihan` and `dilatih`.
_PREFIXES = r"(?:di|ke|se|pe|per|pem|pen|peng|peny|me|mem|men|meng|meny|ber|ter)?"


@lru_cache(maxsize=256)
def _theme_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """Keywords of three letters or fewer as whole words; longer ones as stems with an
    optional prefix and any ending."""
    parts = [re.escape(k) + r"(?!\w)" if len(k) <= 3 else _PREFIXES + re.escape(k)
             for k in keywords]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)


def theme_counts(themes: Sequence[Theme],
                 texts: Iterable[str]) -> list[tuple[Theme, int]]:
    """Per theme, how many of `texts` contain one of its keywords (`_theme_pattern`); themes
    without a comment are left out."""
    texts = list(texts)
    counts = []
    for theme in themes:
        pattern = _theme_pattern(theme.keywords)
        n = sum(pattern.search(t) is not None for t in texts)
        if n:
            counts.append((theme, n))
    return counts
