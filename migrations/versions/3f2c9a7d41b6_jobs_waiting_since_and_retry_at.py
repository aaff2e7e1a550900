"""jobs: since when a job waits (queued_at), when it may be tried again (retry_at), how many
runs it may have (attempts_allowed)

Revision ID: 3f2c9a7d41b6
Revises: 655fd4fc5637
Create Date: 2026-12-01 12:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3f2c9a7d41b6'
down_revision = '655fd4fc5637'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('job', sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('job', sa.Column('retry_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('job', sa.Column('attempts_allowed', sa.Integer(), nullable=True))
    op.execute("UPDATE job SET queued_at = coalesce(relayed_at, created_at)")
    # NOT NULL on SQLite means rebuilding the table: safe here, no table refers to job.
    with op.batch_alter_table('job') as batch_op:
        batch_op.alter_column('queued_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)


def downgrade():
    with op.batch_alter_table('job') as batch_op:
        batch_op.drop_column('attempts_allowed')
        batch_op.drop_column('retry_at')
        batch_op.drop_column('queued_at')
