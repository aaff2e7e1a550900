"""document dispatched_at (deliveries are created by a job once the PDF of record is final)
and appendix (a table printed after the signature)

Revision ID: c19799bd3c61
Revises: dff73b423014
Create Date: 2026-11-23 13:39:05.256883

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c19799bd3c61'
down_revision = 'dff73b423014'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE, not batch mode: SQLite must not rebuild a table others refer to.
    op.add_column('document', sa.Column('dispatched_at', sa.DateTime(timezone=True),
                                        nullable=True))
    op.add_column('document', sa.Column('appendix', sa.JSON(), nullable=True))
    # Documents issued before this revision were delivered when they were issued.
    op.execute("UPDATE document SET dispatched_at = issued_at WHERE state = 'issued'")


def downgrade():
    op.drop_column('document', 'appendix')
    op.drop_column('document', 'dispatched_at')
