"""Report jobs: a closed wave's reports and zip built by a worker, with their progress

Revision ID: 0012_report_jobs
Revises: 0011_one_write_path
Create Date: 2026-12-03 14:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0012_report_jobs"
down_revision = "0011_one_write_path"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("started_by", sa.String(64), nullable=False),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')",
                           name=op.f("ck_report_job_state_valid")),
        sa.CheckConstraint("lang IN ('id', 'en')", name=op.f("ck_report_job_lang_valid")),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"], ondelete="CASCADE",
                                name=op.f("fk_report_job_wave_id_wave")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_job")),
    )
    op.create_index(op.f("ix_report_job_wave_id"), "report_job", ["wave_id"])


def downgrade():
    op.drop_index(op.f("ix_report_job_wave_id"), table_name="report_job")
    op.drop_table("report_job")
