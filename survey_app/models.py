"""Typed SQLAlchemy models. Anonymity rules (design/anonymity.md) are enforced by the schema:
responses and answers carry no code, time, IP or user agent and are keyed by random ids."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
import sqlalchemy.orm as so

from .extensions import Model, db

K_MINIMUM = 3
K_DEFAULT = 5


class WaveState(enum.StrEnum):
    """Life cycle of a wave: draft -> open -> closed, never backwards."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Role(enum.StrEnum):
    """HR user roles; a unit head sees only the subtree of their unit."""

    ADMIN = "admin"
    ANALYST = "analyst"
    UNIT_HEAD = "unit_head"


class Unit(Model):
    """An organisational unit (OPD, kecamatan, kelurahan, bidang...) in a tree."""

    __tablename__ = "unit"
    __table_args__ = (sa.CheckConstraint("headcount >= 0", name="headcount_nonnegative"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    parent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    headcount: so.Mapped[int] = so.mapped_column(default=0)

    parent: so.Mapped[Unit | None] = so.relationship(remote_side=[id], back_populates="children")
    children: so.Mapped[list[Unit]] = so.relationship(back_populates="parent")


class User(Model):
    """An HR user (admin, analyst) or a unit head. Respondents never have an account."""

    __tablename__ = "user_account"
    __table_args__ = (
        sa.CheckConstraint("role IN ('admin', 'analyst', 'unit_head')", name="role_valid"),
        sa.CheckConstraint("role <> 'unit_head' OR unit_id IS NOT NULL", name="unit_head_unit"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    role: so.Mapped[str] = so.mapped_column(sa.String(16))
    unit_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("unit.id"))
    # An inactive user cannot log in, and a live session of one ends on its next request.
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    # anonymity.md rule 7: the respondent-level export is a separate, audited permission.
    can_export_respondents: so.Mapped[bool] = so.mapped_column(default=False,
                                                               server_default=sa.false())
    # Stored in the session at login and compared on every request: raising it ends every
    # session of the user, also copies of the cookie (logout, password reset, deactivation).
    session_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")

    unit: so.Mapped[Unit | None] = so.relationship()


wave_unit = sa.Table(
    "wave_unit",
    db.metadata,
    sa.Column("wave_id", sa.ForeignKey("wave.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("unit_id", sa.ForeignKey("unit.id"), primary_key=True),
)


class Wave(Model):
    """One survey round (e.g. 2026-Q4) over a set of units and pinned instrument versions."""

    __tablename__ = "wave"
    __table_args__ = (
        sa.CheckConstraint("state IN ('draft', 'open', 'closed')", name="state_valid"),
        sa.CheckConstraint(f"k >= {K_MINIMUM}", name="k_minimum"),
        sa.CheckConstraint("cut IS NULL OR cut IN ('jabatan')", name="cut_valid"),
        sa.CheckConstraint("closes_on >= opens_on", name="dates_ordered"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    period: so.Mapped[str] = so.mapped_column(sa.String(16))
    state: so.Mapped[str] = so.mapped_column(sa.String(8), default=WaveState.DRAFT.value)
    k: so.Mapped[int] = so.mapped_column(default=K_DEFAULT)
    opens_on: so.Mapped[dt.date]
    closes_on: so.Mapped[dt.date]
    cut: so.Mapped[str | None] = so.mapped_column(sa.String(16))

    instruments: so.Mapped[list[WaveInstrument]] = so.relationship(
        order_by="WaveInstrument.position", cascade="all, delete-orphan"
    )
    units: so.Mapped[list[Unit]] = so.relationship(secondary=wave_unit, order_by=Unit.code)

    @property
    def instrument_keys(self) -> list[str]:
        """Pinned instrument versions (`id@version`) in the order respondents see them."""
        return [wi.instrument_key for wi in self.instruments]


class WaveInstrument(Model):
    """An instrument version pinned by a wave (position = order in the form)."""

    __tablename__ = "wave_instrument"

    wave_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("wave.id", ondelete="CASCADE"), primary_key=True
    )
    instrument_key: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    position: so.Mapped[int]


class WaveUnit(Model):
    """A wave's unit tree as it was when the wave opened (anonymity.md rule 9).

    One row per report unit (the wave's units and their ancestors) in report order. Every
    figure of the wave is computed on this layout, so re-parenting or renaming a unit later
    changes future waves only. `invited` (codes issued) and `respondents` (the published
    subtree count, NULL where the reports hide it) are written when the wave closes.
    """

    __tablename__ = "wave_unit_frozen"
    __table_args__ = (
        sa.CheckConstraint("parent_position IS NULL OR parent_position < position",
                           name="parent_before_child"),
    )

    wave_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("wave.id", ondelete="CASCADE"), primary_key=True)
    position: so.Mapped[int] = so.mapped_column(primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"))
    code: so.Mapped[str] = so.mapped_column(sa.String(32))
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    parent_position: so.Mapped[int | None]
    headcount: so.Mapped[int] = so.mapped_column(default=0)
    surveyed: so.Mapped[bool] = so.mapped_column(default=True)  # a wave unit, not an ancestor
    invited: so.Mapped[int | None]
    respondents: so.Mapped[int | None]


class PublishedCell(Model):
    """One published figure set of a closed wave: unit x instrument dimension (x cut).

    Written once when the wave closes, by the same analysis as the PDF reports and with its
    suppression: a hidden cell has `shown` false and every figure NULL. `cut` is '' for the
    whole unit. Exports, web pages and later waves' history read these rows only.
    """

    __tablename__ = "published_cell"
    __table_args__ = (
        sa.CheckConstraint("shown OR n IS NULL", name="hidden_has_no_figures"),
        sa.ForeignKeyConstraint(["wave_id", "position"],
                                ["wave_unit_frozen.wave_id", "wave_unit_frozen.position"],
                                ondelete="CASCADE"),
    )

    wave_id: so.Mapped[int] = so.mapped_column(primary_key=True)
    position: so.Mapped[int] = so.mapped_column(primary_key=True)
    instrument_key: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    dimension: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    cut: so.Mapped[str] = so.mapped_column(sa.String(16), primary_key=True, default="")
    shown: so.Mapped[bool]
    n: so.Mapped[int | None]
    mean: so.Mapped[float | None] = so.mapped_column(sa.Float)
    sd: so.Mapped[float | None] = so.mapped_column(sa.Float)
    score100: so.Mapped[float | None] = so.mapped_column(sa.Float)
    score100_ci_low: so.Mapped[float | None] = so.mapped_column(sa.Float)
    score100_ci_high: so.Mapped[float | None] = so.mapped_column(sa.Float)
    favourable: so.Mapped[float | None] = so.mapped_column(sa.Float)
    rwg_j: so.Mapped[float | None] = so.mapped_column(sa.Float)
    agreement: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    alpha_wave: so.Mapped[float | None] = so.mapped_column(sa.Float)
    omega_wave: so.Mapped[float | None] = so.mapped_column(sa.Float)
    icc1_wave: so.Mapped[float | None] = so.mapped_column(sa.Float)
    icc2_wave: so.Mapped[float | None] = so.mapped_column(sa.Float)
    # the one evidence standard (analysis.evidence); NULL in cells published before it
    estimate100: so.Mapped[float | None] = so.mapped_column(sa.Float)
    estimate100_ci_low: so.Mapped[float | None] = so.mapped_column(sa.Float)
    estimate100_ci_high: so.Mapped[float | None] = so.mapped_column(sa.Float)
    mean_reliability: so.Mapped[float | None] = so.mapped_column(sa.Float)
    change_verdict: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    comparison_verdict: so.Mapped[str | None] = so.mapped_column(sa.String(32))


class PublishedItem(Model):
    """One item's answer counts over a unit's subtree in a closed wave, as the unit report
    prints them: only for a shown unit and an item with at least k answers. `counts` holds
    the count of each option 1..A, comma-separated."""

    __tablename__ = "published_item"
    __table_args__ = (
        sa.CheckConstraint("n > 0", name="n_positive"),
        sa.ForeignKeyConstraint(["wave_id", "position"],
                                ["wave_unit_frozen.wave_id", "wave_unit_frozen.position"],
                                ondelete="CASCADE"),
    )

    wave_id: so.Mapped[int] = so.mapped_column(primary_key=True)
    position: so.Mapped[int] = so.mapped_column(primary_key=True)
    instrument_key: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    item_code: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    n: so.Mapped[int]
    counts: so.Mapped[str] = so.mapped_column(sa.String(120))


class Code(Model):
    """A participation code, stored only as HMAC-SHA256(LENTERA_CODE_KEY, code). No time.

    SQLite stores it WITHOUT ROWID, keyed by the hash: no row number in issue (print) order.
    """

    __tablename__ = "code"
    __table_args__ = ({"sqlite_with_rowid": False},)

    hash: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary(32), primary_key=True)
    wave_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("wave.id"), index=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"))
    used: so.Mapped[bool] = so.mapped_column(default=False)

    wave: so.Mapped[Wave] = so.relationship()
    unit: so.Mapped[Unit] = so.relationship()


class Response(Model):
    """One anonymous submission: random id, wave, unit and the optional coarse cut. Nothing else.

    SQLite stores it WITHOUT ROWID, so the physical order follows the random id, not submission.
    """

    __tablename__ = "response"
    __table_args__ = (
        sa.CheckConstraint("cut IS NULL OR cut IN ('struktural', 'fungsional')", name="cut_valid"),
        {"sqlite_with_rowid": False},
    )

    id: so.Mapped[uuid.UUID] = so.mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    wave_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("wave.id"), index=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"))
    cut: so.Mapped[str | None] = so.mapped_column(sa.String(16))


class Answer(Model):
    """One answer of a response; `points` is the scale's A, so the range check is per scale."""

    __tablename__ = "answer"
    __table_args__ = (
        sa.CheckConstraint("points BETWEEN 2 AND 11", name="points_range"),
        sa.CheckConstraint("value BETWEEN 1 AND points", name="value_range"),
        {"sqlite_with_rowid": False},
    )

    response_id: so.Mapped[uuid.UUID] = so.mapped_column(
        sa.ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    item_code: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    value: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    points: so.Mapped[int] = so.mapped_column(sa.SmallInteger)


class AuditEntry(Model):
    """An HR action (never a respondent action): who did what to which wave, and when."""

    __tablename__ = "audit_entry"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[dt.datetime] = so.mapped_column(sa.DateTime(timezone=True))
    actor: so.Mapped[str] = so.mapped_column(sa.String(64))
    action: so.Mapped[str] = so.mapped_column(sa.String(64))
    wave_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("wave.id"), index=True)
    detail: so.Mapped[str] = so.mapped_column(sa.Text, default="")


class TrainingEvent(Model):
    """A training/development event of a unit (hours in JP), marked on trend charts."""

    __tablename__ = "training_event"
    __table_args__ = (sa.CheckConstraint("hours_jp > 0", name="hours_positive"),
                      sa.CheckConstraint("participants >= 1", name="participants_positive"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    held_on: so.Mapped[dt.date]
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    hours_jp: so.Mapped[float] = so.mapped_column(sa.Float)
    provider: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    # the development plan action it delivers (kept when the plan changes) and how many ASN
    # took part: JP per ASN is an aggregate, sum(hours_jp * participants) / headcount
    plan_action_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("plan_action.id", ondelete="SET NULL"), index=True)
    participants: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    unit: so.Mapped[Unit] = so.relationship()
    plan_action: so.Mapped[PlanAction | None] = so.relationship()


class JobState(enum.StrEnum):
    """A report job: queued -> running -> done or failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ReportJob(Model):
    """Building a closed wave's reports and their zip off the web request (services.jobs).

    Progress is counted here, so the web page reads it the same way whichever worker runs the
    job. No time is stored: nothing about a job needs one.
    """

    __tablename__ = "report_job"
    __table_args__ = (
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')",
                           name="state_valid"),
        sa.CheckConstraint("lang IN ('id', 'en')", name="lang_valid"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    wave_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("wave.id", ondelete="CASCADE"),
                                               index=True)
    lang: so.Mapped[str] = so.mapped_column(sa.String(2))
    state: so.Mapped[str] = so.mapped_column(sa.String(16), default=JobState.QUEUED)
    total: so.Mapped[int] = so.mapped_column(default=0)
    done: so.Mapped[int] = so.mapped_column(default=0)
    failed: so.Mapped[int] = so.mapped_column(default=0)
    error: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    files: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # one file name a line
    started_by: so.Mapped[str] = so.mapped_column(sa.String(64), default="")

    wave: so.Mapped[Wave] = so.relationship()


FOLLOW_UP_STATUSES = ("direncanakan", "berjalan", "selesai", "dibatalkan")


class SkmFollowUp(Model):
    """One line of a service unit's follow-up plan for an SKM period (rencana tindak lanjut,
    Permenpan RB 14/2017): the unsur it improves, the programme or activity, when, and the
    position that answers for it (a position, never a person's name)."""

    __tablename__ = "skm_follow_up"
    __table_args__ = (
        sa.CheckConstraint("status IN ('direncanakan', 'berjalan', 'selesai', 'dibatalkan')",
                           name="status_valid"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    wave_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("wave.id", ondelete="CASCADE"),
                                               index=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"))  # the service unit
    unsur: so.Mapped[str] = so.mapped_column(sa.String(32))  # the SKM dimension code
    action: so.Mapped[str] = so.mapped_column(sa.String(500))
    owner: so.Mapped[str] = so.mapped_column(sa.String(200))
    due_on: so.Mapped[dt.date]
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="direncanakan")


class ConsultationForum(Model):
    """A citizens' consultation forum held by a unit: when, on what, how many took part
    (a count, never a list of people), and the needs it raised."""

    __tablename__ = "consultation_forum"
    __table_args__ = (sa.CheckConstraint("participants > 0", name="participants_positive"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    held_on: so.Mapped[dt.date]
    topic: so.Mapped[str] = so.mapped_column(sa.String(200))
    participants: so.Mapped[int]

    unit: so.Mapped[Unit] = so.relationship()
    needs: so.Mapped[list[ForumNeed]] = so.relationship(
        order_by="ForumNeed.id", cascade="all, delete-orphan")


class ForumNeed(Model):
    """A need raised at a forum, mapped to an SKM unsur or a culture dimension (or neither)."""

    __tablename__ = "forum_need"
    __table_args__ = (
        sa.CheckConstraint("target_kind IN ('unsur', 'dimension', '')", name="kind_valid"),
        sa.CheckConstraint("(target_kind = '') = (target = '')", name="target_with_kind"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    forum_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("consultation_forum.id", ondelete="CASCADE"), index=True)
    text: so.Mapped[str] = so.mapped_column(sa.String(500))
    target_kind: so.Mapped[str] = so.mapped_column(sa.String(16), default="")
    target: so.Mapped[str] = so.mapped_column(sa.String(100), default="")  # code or key:code


COMMENT_MAX_LENGTH = 1000  # what a respondent may type
# Redaction can lengthen a text (`Bu Ani` -> `Bu [NAMA]`); what is stored is cut at this.
COMMENT_STORED_MAX = 4 * COMMENT_MAX_LENGTH


class Comment(Model):
    """A respondent's free-text comment, stored redacted (services.redaction), apart from the
    response: no response id, no time, a random id. SQLite stores it WITHOUT ROWID, and each
    new comment rewrites its wave's comments in random order (services.comments), so no
    physical order follows submission order. Shown only in groups of at least 10 respondents
    (design/anonymity.md rule 4); HR can hide a comment, never edit it."""

    __tablename__ = "comment"
    __table_args__ = (
        sa.CheckConstraint(f"length(text) BETWEEN 1 AND {COMMENT_STORED_MAX}",
                           name="text_length"),
        {"sqlite_with_rowid": False},
    )

    id: so.Mapped[uuid.UUID] = so.mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    wave_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("wave.id"), index=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"))
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    hidden: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())


# --- citizen SKM collection (issue #16): nothing here names, times or orders a citizen -------


class SkmPopulation(Model):
    """The number of citizens a service unit served in an SKM wave's period, entered by HR:
    the population N of the Krejcie-Morgan sample size (replaces staff headcount for SKM)."""

    __tablename__ = "skm_population"
    __table_args__ = (sa.CheckConstraint("population >= 1", name="population_positive"),)

    wave_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("wave.id", ondelete="CASCADE"), primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), primary_key=True)
    population: so.Mapped[int]


class SkmRefusals(Model):
    """How many citizen submissions to a wave's unit were refused (flood, replay, too fast):
    one aggregate count, nothing about who sent them or when."""

    __tablename__ = "skm_refusals"
    __table_args__ = (sa.CheckConstraint("refused >= 0", name="refused_nonnegative"),)

    wave_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("wave.id", ondelete="CASCADE"), primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), primary_key=True)
    refused: so.Mapped[int] = so.mapped_column(default=0)


class SkmFormNonce(Model):
    """A citizen form token that was used: a keyed hash of its random nonce and the day (no
    time of day), so each form is stored at most once. References nothing; rows older than
    the token lifetime are deleted as new ones arrive.

    SQLite stores it WITHOUT ROWID, keyed by the hash: no row number in submission order.
    """

    __tablename__ = "skm_form_nonce"
    __table_args__ = ({"sqlite_with_rowid": False},)

    hash: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary(32), primary_key=True)
    day: so.Mapped[dt.date] = so.mapped_column(index=True)


class Kiosk(Model):
    """A tablet at a service counter registered by HR for one wave and unit. It carries a
    long-lived cookie whose secret is stored only hashed; its ceiling replaces the per-address
    one. Nothing about a kiosk is stored with a response."""

    __tablename__ = "skm_kiosk"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    wave_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"))
    label: so.Mapped[str] = so.mapped_column(sa.String(80))
    # SHA-256 of the one-time activation secret (NULL once used) and of the cookie secret
    # (NULL until the tablet is activated).
    activation_hash: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary(32),
                                                                unique=True)
    secret_hash: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary(32), unique=True)
    revoked: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    unit: so.Mapped[Unit] = so.relationship()


# ---------------------------------------------------------------- development plans
# The development paths of PP 11/2017 Pasal 205-207: classroom, e-learning, coaching/mentoring
# at work, and programmes with a university or training institute.
PLAN_PATHS = ("klasikal", "elearning", "coaching", "kemitraan")
# A plan action targets a group of positions, never a person.
TARGET_GROUPS = ("semua", "struktural", "fungsional", "pelaksana")
ACTION_STATUSES = ("direncanakan", "berjalan", "selesai", "dibatalkan")
PLAN_STATUSES = ("draft", "approved")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class LearningOffer(Model):
    """The organisation's own development offer (an e-learning link, a partner programme),
    optionally serving one dimension of an instrument; HR keeps the list."""

    __tablename__ = "learning_offer"
    __table_args__ = (
        sa.CheckConstraint(_one_of("path", PLAN_PATHS), name="path_valid"),
        sa.CheckConstraint("(instrument_key IS NULL) = (dimension IS NULL)",
                           name="dimension_with_instrument"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    path: so.Mapped[str] = so.mapped_column(sa.String(16))
    provider: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    url: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    instrument_key: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    dimension: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())


class DevelopmentPlan(Model):
    """A unit's development plan (Rencana Pengembangan Kompetensi) for one year."""

    __tablename__ = "development_plan"
    __table_args__ = (
        sa.UniqueConstraint("unit_id", "year", name="uq_development_plan_unit_year"),
        sa.CheckConstraint(_one_of("status", PLAN_STATUSES), name="status_valid"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"), index=True)
    year: so.Mapped[int]
    # the closed wave whose published results it was drafted from
    wave_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("wave.id", ondelete="SET NULL"))
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="draft")

    unit: so.Mapped[Unit] = so.relationship()
    wave: so.Mapped[Wave | None] = so.relationship()
    actions: so.Mapped[list[PlanAction]] = so.relationship(
        back_populates="plan", order_by="PlanAction.id", cascade="all, delete-orphan",
        passive_deletes=True)


class PlanAction(Model):
    """One action of a plan: what it targets (a dimension or a competence), for which
    position group, by which path, provider, months, JP, budget (rupiah) and its status."""

    __tablename__ = "plan_action"
    __table_args__ = (
        sa.CheckConstraint(_one_of("target_group", TARGET_GROUPS), name="target_group_valid"),
        sa.CheckConstraint(_one_of("path", PLAN_PATHS), name="path_valid"),
        sa.CheckConstraint(_one_of("status", ACTION_STATUSES), name="status_valid"),
        sa.CheckConstraint("hours_jp > 0", name="hours_positive"),
        sa.CheckConstraint("budget >= 0", name="budget_nonnegative"),
        sa.CheckConstraint("start_month BETWEEN 1 AND 12 AND end_month BETWEEN 1 AND 12",
                           name="months_range"),
        sa.CheckConstraint("end_month >= start_month", name="months_ordered"),
        sa.CheckConstraint("(instrument_key IS NULL) = (dimension IS NULL)",
                           name="dimension_with_instrument"),
        sa.CheckConstraint("dimension IS NOT NULL OR competence <> ''", name="target_named"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("development_plan.id", ondelete="CASCADE"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    instrument_key: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    dimension: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    competence: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    target_group: so.Mapped[str] = so.mapped_column(sa.String(16), default="semua")
    path: so.Mapped[str] = so.mapped_column(sa.String(16))
    provider: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    start_month: so.Mapped[int]
    end_month: so.Mapped[int]
    hours_jp: so.Mapped[float] = so.mapped_column(sa.Float)
    budget: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="direncanakan")

    plan: so.Mapped[DevelopmentPlan] = so.relationship(back_populates="actions")
