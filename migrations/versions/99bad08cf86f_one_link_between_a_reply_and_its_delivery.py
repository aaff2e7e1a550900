"""one link between a reply and its delivery: the delivery names its reply from the first draft

Until now a reply pointed to the delivery it answers (document.reply_to_id) from its first
draft, and the delivery named its reply (delivery.reply_document_id) once it was sent: two
tables referring to each other. The delivery's column is the link now, set from the first
draft on; a draft linked only from the document is linked from its delivery first (the latest
draft, the one the portal read), then the document's column goes.

Revision ID: 99bad08cf86f
Revises: b7e4a1c9d2f3
Create Date: 2026-12-02 10:00:00

"""
import contextlib

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '99bad08cf86f'
down_revision = 'b7e4a1c9d2f3'
branch_labels = None
depends_on = None


# Rebuilding the table on SQLite drops its triggers: the leaderboard's (7b0f945a4b78), made
# again after each rebuild as that migration made it.
SQLITE_DOCUMENT_TRIGGER = """CREATE TRIGGER document_sealed_stale
        AFTER UPDATE OF sealed_at ON document
        BEGIN INSERT INTO leaderboard_stale_day (day)
              SELECT DISTINCT received_on FROM delivery WHERE document_id = NEW.id; END"""


def upgrade():
    op.execute("""UPDATE delivery SET reply_document_id = (
                      SELECT max(document.id) FROM document
                      WHERE document.reply_to_id = delivery.id)
                  WHERE reply_document_id IS NULL AND EXISTS (
                      SELECT 1 FROM document WHERE document.reply_to_id = delivery.id)""")
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_reply_document_id'), ['reply_document_id'],
                              unique=True)
    with _rebuilding_tables():
        with op.batch_alter_table('document', schema=None) as batch_op:
            batch_op.drop_index(batch_op.f('ix_document_reply_to_id'))
            batch_op.drop_constraint(op.f('fk_document_reply_to_id_delivery'),
                                     type_='foreignkey')
            batch_op.drop_column('reply_to_id')


@contextlib.contextmanager
def _rebuilding_tables():
    """SQLite drops a column only by rebuilding the table, which the other tables' foreign
    keys forbid while they are enforced; SQLite ignores the PRAGMA inside a transaction, so
    the work before is committed first."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        with op.get_context().autocommit_block():
            op.execute("PRAGMA foreign_keys=OFF")
    yield
    if sqlite:
        op.execute(SQLITE_DOCUMENT_TRIGGER)
        with op.get_context().autocommit_block():
            op.execute("PRAGMA foreign_keys=ON")


def downgrade():
    with _rebuilding_tables():
        with op.batch_alter_table('document', schema=None) as batch_op:
            batch_op.add_column(sa.Column('reply_to_id', sa.BigInteger().with_variant(
                sa.Integer(), 'sqlite'), nullable=True))
            batch_op.create_index(batch_op.f('ix_document_reply_to_id'), ['reply_to_id'],
                                  unique=False)
            batch_op.create_foreign_key(op.f('fk_document_reply_to_id_delivery'), 'delivery',
                                        ['reply_to_id'], ['id'])
    op.execute("""UPDATE document SET reply_to_id = (
                      SELECT delivery.id FROM delivery
                      WHERE delivery.reply_document_id = document.id)
                  WHERE id IN (SELECT reply_document_id FROM delivery)""")
    # Before this revision a delivery named its reply only once sent.
    op.execute("UPDATE delivery SET reply_document_id = NULL WHERE replied_at IS NULL")
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_reply_document_id'))
