"""merges pass open deliveries on: a delivery's first recipient, when the merge was recorded

Revision ID: b7c3e9a1d2f4
Revises: 5b9d3e7a2c41
Create Date: 2026-12-01 15:10:00

`delivery.addressed_to_id` keeps the organisation a delivery was addressed to once a merge has
passed it to the successor (the leaderboard counts it there; undoing the merge gives it back).
It carries no foreign key: SQLite cannot drop a column a foreign key uses without rebuilding
the table, and rebuilding `delivery` would lose the leaderboard's triggers (7b0f945a4b78).
`organisation.merge_recorded_at` is when the merge was entered (what happened since decides
whether it may be undone).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7c3e9a1d2f4'
down_revision = '5b9d3e7a2c41'
branch_labels = None
depends_on = None


def upgrade():
    # Adding a nullable column is an ALTER TABLE on both databases (no table rebuild).
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('addressed_to_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merge_recorded_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    # DROP COLUMN in place (SQLite 3.35+ has it), never a rebuild of `delivery`.
    op.execute('ALTER TABLE organisation DROP COLUMN merge_recorded_at')
    op.execute('ALTER TABLE delivery DROP COLUMN addressed_to_id')
