"""delivery received_on index: the leaderboard recounts a day from it; the unanswered
deadlines' partial index covers what the leaderboard reads of them

Revision ID: d8b6851e844a
Revises: 4db7baae6c79
Create Date: 2026-11-23 19:28:12.916374

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd8b6851e844a'
down_revision = '4db7baae6c79'
branch_labels = None
depends_on = None


UNANSWERED = sa.text("replied_at IS NULL AND due_on IS NOT NULL")


def _unanswered_due(batch_op, columns):
    batch_op.drop_index("ix_delivery_unanswered_due")
    batch_op.create_index("ix_delivery_unanswered_due", columns, unique=False,
                          postgresql_where=UNANSWERED, sqlite_where=UNANSWERED)


def upgrade():
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.create_index("ix_delivery_received_on", ["received_on"], unique=False)
        _unanswered_due(batch_op, ["due_on", "recipient_id", "received_on", "channel", "status",
                                   "document_id"])


def downgrade():
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        _unanswered_due(batch_op, ["due_on"])
        batch_op.drop_index("ix_delivery_received_on")
