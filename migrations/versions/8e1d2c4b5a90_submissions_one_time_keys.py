"""submissions: one-time keys of forms and the API's Idempotency-Key, with the first answer

Revision ID: 8e1d2c4b5a90
Revises: 3f2c9a7d41b6
Create Date: 2026-12-01 13:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8e1d2c4b5a90'
down_revision = '3f2c9a7d41b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'submission',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=100), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=True),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('location', sa.String(length=500), nullable=True),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_submission_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_submission')),
        sa.UniqueConstraint('user_id', 'scope', 'key', name='uq_submission_user_scope_key'),
    )
    op.create_index(op.f('ix_submission_created_at'), 'submission', ['created_at'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_submission_created_at'), table_name='submission')
    op.drop_table('submission')
