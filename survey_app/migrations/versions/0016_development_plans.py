"""Development plans per unit and year, their actions, the organisation's learning offers;
training events point at the plan action they deliver and count their participants

Existing training events get no plan action and one participant (server default).

Revision ID: 0016_development_plans
Revises: 0015_citizen_skm
Create Date: 2026-12-08 00:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0016_development_plans"
down_revision = "0015_citizen_skm"
branch_labels = None
depends_on = None

PATHS = "path IN ('klasikal', 'elearning', 'coaching', 'kemitraan')"
PAIRED = "(instrument_key IS NULL) = (dimension IS NULL)"


def upgrade():
    op.create_table(
        "learning_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("path", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(200), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("instrument_key", sa.String(64), nullable=True),
        sa.Column("dimension", sa.String(32), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.CheckConstraint(PATHS, name=op.f("ck_learning_offer_path_valid")),
        sa.CheckConstraint(PAIRED, name=op.f("ck_learning_offer_dimension_with_instrument")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_offer")),
    )
    op.create_table(
        "development_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'approved')",
                           name=op.f("ck_development_plan_status_valid")),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100",
                           name=op.f("ck_development_plan_year_range")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"],
                                name=op.f("fk_development_plan_unit_id_unit")),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"], ondelete="SET NULL",
                                name=op.f("fk_development_plan_wave_id_wave")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_development_plan")),
        sa.UniqueConstraint("unit_id", "year", name="uq_development_plan_unit_year"),
    )
    op.create_index(op.f("ix_development_plan_unit_id"), "development_plan", ["unit_id"])
    op.create_table(
        "plan_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("instrument_key", sa.String(64), nullable=True),
        sa.Column("dimension", sa.String(32), nullable=True),
        sa.Column("competence", sa.String(200), nullable=False),
        sa.Column("target_group", sa.String(16), nullable=False),
        sa.Column("path", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(200), nullable=False),
        sa.Column("start_month", sa.Integer(), nullable=False),
        sa.Column("end_month", sa.Integer(), nullable=False),
        sa.Column("hours_jp", sa.Float(), nullable=False),
        sa.Column("budget", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.CheckConstraint("target_group IN ('semua', 'struktural', 'fungsional', 'pelaksana')",
                           name=op.f("ck_plan_action_target_group_valid")),
        sa.CheckConstraint(PATHS, name=op.f("ck_plan_action_path_valid")),
        sa.CheckConstraint("status IN ('direncanakan', 'berjalan', 'selesai', 'dibatalkan')",
                           name=op.f("ck_plan_action_status_valid")),
        sa.CheckConstraint("hours_jp > 0", name=op.f("ck_plan_action_hours_positive")),
        sa.CheckConstraint("budget >= 0", name=op.f("ck_plan_action_budget_nonnegative")),
        sa.CheckConstraint("start_month BETWEEN 1 AND 12 AND end_month BETWEEN 1 AND 12",
                           name=op.f("ck_plan_action_months_range")),
        sa.CheckConstraint("end_month >= start_month",
                           name=op.f("ck_plan_action_months_ordered")),
        sa.CheckConstraint(PAIRED, name=op.f("ck_plan_action_dimension_with_instrument")),
        sa.CheckConstraint("dimension IS NOT NULL OR competence <> ''",
                           name=op.f("ck_plan_action_target_named")),
        sa.ForeignKeyConstraint(["plan_id"], ["development_plan.id"], ondelete="CASCADE",
                                name=op.f("fk_plan_action_plan_id_development_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_action")),
    )
    op.create_index(op.f("ix_plan_action_plan_id"), "plan_action", ["plan_id"])
    with op.batch_alter_table("training_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_action_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("participants", sa.Integer(), server_default="1",
                                      nullable=False))
        batch_op.create_foreign_key(
            batch_op.f("fk_training_event_plan_action_id_plan_action"), "plan_action",
            ["plan_action_id"], ["id"], ondelete="SET NULL")
        batch_op.create_check_constraint(
            batch_op.f("ck_training_event_participants_positive"), "participants >= 1")
        batch_op.create_index(batch_op.f("ix_training_event_plan_action_id"),
                              ["plan_action_id"], unique=False)


def downgrade():
    with op.batch_alter_table("training_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_event_plan_action_id"))
        batch_op.drop_constraint(batch_op.f("ck_training_event_participants_positive"),
                                 type_="check")
        batch_op.drop_constraint(batch_op.f("fk_training_event_plan_action_id_plan_action"),
                                 type_="foreignkey")
        batch_op.drop_column("participants")
        batch_op.drop_column("plan_action_id")
    op.drop_index(op.f("ix_plan_action_plan_id"), table_name="plan_action")
    op.drop_table("plan_action")
    op.drop_index(op.f("ix_development_plan_unit_id"), table_name="development_plan")
    op.drop_table("development_plan")
    op.drop_table("learning_offer")
