"""Citizen SKM collection: populations, refusal counts, used form nonces, kiosks

Revision ID: 0015_citizen_skm
Revises: 0014_comments
Create Date: 2026-12-08 00:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0015_citizen_skm"
down_revision = "0014_comments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "skm_population",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.CheckConstraint("population >= 1", name=op.f("ck_skm_population_population_positive")),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"], ondelete="CASCADE",
                                name=op.f("fk_skm_population_wave_id_wave")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"],
                                name=op.f("fk_skm_population_unit_id_unit")),
        sa.PrimaryKeyConstraint("wave_id", "unit_id", name=op.f("pk_skm_population")),
    )
    op.create_table(
        "skm_refusals",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.CheckConstraint("refused >= 0", name=op.f("ck_skm_refusals_refused_nonnegative")),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"], ondelete="CASCADE",
                                name=op.f("fk_skm_refusals_wave_id_wave")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"],
                                name=op.f("fk_skm_refusals_unit_id_unit")),
        sa.PrimaryKeyConstraint("wave_id", "unit_id", name=op.f("pk_skm_refusals")),
    )
    op.create_table(
        "skm_form_nonce",
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_skm_form_nonce")),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_skm_form_nonce_day"), "skm_form_nonce", ["day"])
    op.create_table(
        "skm_kiosk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("activation_hash", sa.LargeBinary(32), nullable=True),
        sa.Column("secret_hash", sa.LargeBinary(32), nullable=True),
        sa.Column("revoked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"], ondelete="CASCADE",
                                name=op.f("fk_skm_kiosk_wave_id_wave")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_skm_kiosk_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skm_kiosk")),
        sa.UniqueConstraint("activation_hash", name=op.f("uq_skm_kiosk_activation_hash")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_skm_kiosk_secret_hash")),
    )
    op.create_index(op.f("ix_skm_kiosk_wave_id"), "skm_kiosk", ["wave_id"])


def downgrade():
    op.drop_index(op.f("ix_skm_kiosk_wave_id"), table_name="skm_kiosk")
    op.drop_table("skm_kiosk")
    op.drop_index(op.f("ix_skm_form_nonce_day"), table_name="skm_form_nonce")
    op.drop_table("skm_form_nonce")
    op.drop_table("skm_refusals")
    op.drop_table("skm_population")
