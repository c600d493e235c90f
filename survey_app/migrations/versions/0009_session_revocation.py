"""user accounts: session_version, so that logout, password reset and deactivation end every
session of the user, copies of the session cookie included

Existing accounts start at 0; sessions made before this migration carry no version and end
on their next request (the user logs in again).

Revision ID: 0009_session_revocation
Revises: 0008_storage_traces
Create Date: 2026-12-02 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0009_session_revocation"
down_revision = "0008_storage_traces"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0",
                                      nullable=False))


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("session_version")
