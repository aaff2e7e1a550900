"""second factor: a person's TOTP secret (encrypted), its last accepted time-step, and their
one-time recovery codes (hashed)

Revision ID: 655fd4fc5637
Revises: d8b6851e844a
Create Date: 2026-12-01 11:11:00.546750

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '655fd4fc5637'
down_revision = 'd8b6851e844a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_recovery_code_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)

    # Plain ALTER TABLE, not batch mode: SQLite must not rebuild a table others refer to.
    op.add_column('user', sa.Column('totp_secret', sa.String(length=255), nullable=True))
    op.add_column('user', sa.Column('totp_enabled_at', sa.DateTime(timezone=True),
                                    nullable=True))
    op.add_column('user', sa.Column('totp_last_step', sa.Integer(), nullable=True))


def downgrade():
    op.drop_column('user', 'totp_last_step')
    op.drop_column('user', 'totp_enabled_at')
    op.drop_column('user', 'totp_secret')

    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))

    op.drop_table('recovery_code')
