"""frozen waves: the unit tree of each wave as it opened, and the published results

Open and closed waves that exist already get their layout from today's tree (the best that
can be known); a closed wave gets its published results from `flask wave publish`
(`flask audit` names the waves that still need it).

Revision ID: 0007_frozen_waves
Revises: 0006_sqlite_store_grouped_json
Create Date: 2026-12-02 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0007_frozen_waves"
down_revision = "0006_sqlite_store_grouped_json"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "wave_unit_frozen",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_position", sa.Integer(), nullable=True),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("surveyed", sa.Boolean(), nullable=False),
        sa.Column("invited", sa.Integer(), nullable=True),
        sa.Column("respondents", sa.Integer(), nullable=True),
        sa.CheckConstraint("parent_position IS NULL OR parent_position < position",
                           name=op.f("ck_wave_unit_frozen_parent_before_child")),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"], ondelete="CASCADE",
                                name=op.f("fk_wave_unit_frozen_wave_id_wave")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"],
                                name=op.f("fk_wave_unit_frozen_unit_id_unit")),
        sa.PrimaryKeyConstraint("wave_id", "position", name=op.f("pk_wave_unit_frozen")),
    )
    op.create_table(
        "published_cell",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("instrument_key", sa.String(length=64), nullable=False),
        sa.Column("dimension", sa.String(length=32), nullable=False),
        sa.Column("cut", sa.String(length=16), nullable=False),
        sa.Column("shown", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=True),
        *(sa.Column(name, sa.Float(), nullable=True) for name in (
            "mean", "sd", "score100", "score100_ci_low", "score100_ci_high", "favourable",
            "rwg_j")),
        sa.Column("agreement", sa.String(length=32), nullable=True),
        *(sa.Column(name, sa.Float(), nullable=True) for name in (
            "alpha_wave", "omega_wave", "icc1_wave", "icc2_wave")),
        sa.CheckConstraint("shown OR n IS NULL",
                           name=op.f("ck_published_cell_hidden_has_no_figures")),
        sa.ForeignKeyConstraint(
            ["wave_id", "position"], ["wave_unit_frozen.wave_id", "wave_unit_frozen.position"],
            ondelete="CASCADE",
            name=op.f("fk_published_cell_wave_id_wave_unit_frozen")),
        sa.PrimaryKeyConstraint("wave_id", "position", "instrument_key", "dimension", "cut",
                                name=op.f("pk_published_cell")),
    )
    _backfill_layouts()


def _backfill_layouts():
    """Layouts of the waves that are already open or closed, from today's tree."""
    bind = op.get_bind()
    units = {row.id: row for row in bind.execute(sa.text(
        "SELECT id, code, name, parent_id, headcount FROM unit"))}
    waves = bind.execute(sa.text("SELECT id FROM wave WHERE state <> 'draft'")).scalars()
    for wave_id in list(waves):
        members = set(bind.execute(sa.text(
            "SELECT unit_id FROM wave_unit WHERE wave_id = :w"), {"w": wave_id}).scalars())
        for row in layout_rows(units, members):
            bind.execute(sa.text(
                "INSERT INTO wave_unit_frozen (wave_id, position, unit_id, code, name, "
                "parent_position, headcount, surveyed) VALUES (:wave_id, :position, "
                ":unit_id, :code, :name, :parent_position, :headcount, :surveyed)"),
                {"wave_id": wave_id, **row})


def layout_rows(units, members):
    """The wave units and their ancestors depth-first by code, parents before children."""
    keep = set()
    for uid in members:
        while uid is not None and uid not in keep:
            keep.add(uid)
            uid = units[uid].parent_id
    children = {}
    for uid in sorted(keep, key=lambda u: units[u].code):
        children.setdefault(units[uid].parent_id, []).append(uid)
    out, position = [], {}
    stack = list(reversed(children.get(None, [])))
    while stack:
        uid = stack.pop()
        unit = units[uid]
        position[uid] = len(out)
        out.append({"position": len(out), "unit_id": uid, "code": unit.code, "name": unit.name,
                    "parent_position": position.get(unit.parent_id),
                    "headcount": unit.headcount, "surveyed": uid in members})
        stack.extend(reversed(children.get(uid, [])))
    return out


def downgrade():
    op.drop_table("published_cell")
    op.drop_table("wave_unit_frozen")
