"""published cells: the pooled unit score with its interval, the verdicts of the one evidence
standard (change and unit vs rest), and the reliability of the unit mean at its own size

Cells published before this migration keep NULL in the new columns (their waves were
analysed without pooling); `flask wave publish` does not republish them.

Revision ID: 0010_published_evidence
Revises: 0009_session_revocation
Create Date: 2026-12-02 14:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0010_published_evidence"
down_revision = "0009_session_revocation"
branch_labels = None
depends_on = None

FLOATS = ("estimate100", "estimate100_ci_low", "estimate100_ci_high", "mean_reliability")
TEXTS = ("change_verdict", "comparison_verdict")


def upgrade():
    with op.batch_alter_table("published_cell", schema=None) as batch_op:
        for name in FLOATS:
            batch_op.add_column(sa.Column(name, sa.Float(), nullable=True))
        for name in TEXTS:
            batch_op.add_column(sa.Column(name, sa.String(32), nullable=True))


def downgrade():
    with op.batch_alter_table("published_cell", schema=None) as batch_op:
        for name in (*FLOATS, *TEXTS):
            batch_op.drop_column(name)
