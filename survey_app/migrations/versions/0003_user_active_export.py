"""user accounts: active flag and the respondent-level export permission

Existing accounts stay active and get no export permission (server defaults).

Revision ID: 0003_user_active_export
Revises: sec0101ratelimit
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0003_user_active_export"
down_revision = "sec0101ratelimit"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(),
                                      nullable=False))
        batch_op.add_column(sa.Column("can_export_respondents", sa.Boolean(),
                                      server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("can_export_respondents")
        batch_op.drop_column("active")
