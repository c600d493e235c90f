"""rate limit counters (security helper): keyed hashes of addresses/accounts, short expiry

Revision ID: sec0101ratelimit
Revises: 0002_closed_wave_guard
Create Date: 2026-11-30 01:55:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'sec0101ratelimit'
down_revision = "0002_closed_wave_guard"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit',
    sa.Column('key', sa.String(length=96), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('expires', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('hits >= 0', name=op.f('ck_rate_limit_hits_nonnegative')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit'))
    )


def downgrade():
    op.drop_table('rate_limit')
