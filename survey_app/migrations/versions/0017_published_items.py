"""published items: each item's answer counts over a shown unit's subtree, as the unit report prints them

Revision ID: 0017_published_items
Revises: 0016_development_plans
Create Date: 2026-12-08 01:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0017_published_items"
down_revision = "0016_development_plans"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "published_item",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("instrument_key", sa.String(64), nullable=False),
        sa.Column("item_code", sa.String(32), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("counts", sa.String(120), nullable=False),
        sa.CheckConstraint("n > 0", name=op.f("ck_published_item_n_positive")),
        sa.ForeignKeyConstraint(["wave_id", "position"],
                                ["wave_unit_frozen.wave_id", "wave_unit_frozen.position"],
                                ondelete="CASCADE",
                                name=op.f("fk_published_item_wave_id_wave_unit_frozen")),
        sa.PrimaryKeyConstraint("wave_id", "position", "instrument_key", "item_code",
                                name=op.f("pk_published_item")),
    )


def downgrade():
    op.drop_table("published_item")
