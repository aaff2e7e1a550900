"""incoming numbers (số đến): a delivery's number in its recipient's incoming register

Acknowledging a delivery registers it: it takes the recipient's next incoming number for the
calendar year (Decree 30/2020, Art. 22), from `incoming_register`, as documents take theirs
from `number_register`. Adding columns and an index rebuilds nothing on SQLite, so the
leaderboard's triggers on `delivery` stay.

Revision ID: f1b8c3d5e702
Revises: a7d2e4f19c30
Create Date: 2026-12-02 03:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'f1b8c3d5e702'
down_revision = 'a7d2e4f19c30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'incoming_register',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_incoming_register_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('organisation_id', 'year', name=op.f('pk_incoming_register')))
    op.add_column('delivery', sa.Column('incoming_year', sa.Integer(), nullable=True))
    op.add_column('delivery', sa.Column('incoming_number', sa.Integer(), nullable=True))
    op.create_index('ix_delivery_incoming_number', 'delivery',
                    ['recipient_id', 'incoming_year', 'incoming_number'], unique=True)


def downgrade():
    op.drop_index('ix_delivery_incoming_number', table_name='delivery')
    # SQLite drops a column in place (3.35+): no rebuild, the triggers stay.
    op.drop_column('delivery', 'incoming_number')
    op.drop_column('delivery', 'incoming_year')
    op.drop_table('incoming_register')
