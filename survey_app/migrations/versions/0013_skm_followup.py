"""SKM follow-up plans (rencana tindak lanjut) and citizens' consultation forums with their needs

Revision ID: 0013_skm_followup
Revises: 0012_report_jobs
Create Date: 2026-12-08 00:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0013_skm_followup"
down_revision = "0012_report_jobs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "skm_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unsur", sa.String(32), nullable=False),
        sa.Column("action", sa.String(500), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.CheckConstraint("status IN ('direncanakan', 'berjalan', 'selesai', 'dibatalkan')",
                           name=op.f("ck_skm_follow_up_status_valid")),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"], ondelete="CASCADE",
                                name=op.f("fk_skm_follow_up_wave_id_wave")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"],
                                name=op.f("fk_skm_follow_up_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skm_follow_up")),
    )
    op.create_index(op.f("ix_skm_follow_up_wave_id"), "skm_follow_up", ["wave_id"])
    op.create_table(
        "consultation_forum",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.CheckConstraint("participants > 0",
                           name=op.f("ck_consultation_forum_participants_positive")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"],
                                name=op.f("fk_consultation_forum_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_forum")),
    )
    op.create_index(op.f("ix_consultation_forum_unit_id"), "consultation_forum", ["unit_id"])
    op.create_table(
        "forum_need",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(100), nullable=False),
        sa.CheckConstraint("target_kind IN ('unsur', 'dimension', '')",
                           name=op.f("ck_forum_need_kind_valid")),
        sa.CheckConstraint("(target_kind = '') = (target = '')",
                           name=op.f("ck_forum_need_target_with_kind")),
        sa.ForeignKeyConstraint(["forum_id"], ["consultation_forum.id"], ondelete="CASCADE",
                                name=op.f("fk_forum_need_forum_id_consultation_forum")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_need")),
    )
    op.create_index(op.f("ix_forum_need_forum_id"), "forum_need", ["forum_id"])


def downgrade():
    op.drop_index(op.f("ix_forum_need_forum_id"), table_name="forum_need")
    op.drop_table("forum_need")
    op.drop_index(op.f("ix_consultation_forum_unit_id"), table_name="consultation_forum")
    op.drop_table("consultation_forum")
    op.drop_index(op.f("ix_skm_follow_up_wave_id"), table_name="skm_follow_up")
    op.drop_table("skm_follow_up")
