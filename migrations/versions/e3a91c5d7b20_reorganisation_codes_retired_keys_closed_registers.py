"""reorganisation: a name's code, a signing key's retirement, a number register's closing

An organisation's notation code may change with its name (the ministry's BTNMT became BNNMT
on 1 March 2025): each OrganisationName row now carries the code borne with it, filled here
with the organisation's code. A merged (or re-sealed) organisation's signing keys are retired
from a day, and a merged organisation's number registers are closed from its merge.

Revision ID: e3a91c5d7b20
Revises: 99bad08cf86f
Create Date: 2026-12-01 22:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e3a91c5d7b20'
down_revision = '99bad08cf86f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation_name', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_organisation_name_code'), ['code'], unique=False)
    op.execute("""UPDATE organisation_name SET code = (
                      SELECT organisation.code FROM organisation
                      WHERE organisation.id = organisation_name.organisation_id)""")
    with op.batch_alter_table('signing_identity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_on', sa.Date(), nullable=True))
    with op.batch_alter_table('number_register', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('number_register', schema=None) as batch_op:
        batch_op.drop_column('closed_on')
    with op.batch_alter_table('signing_identity', schema=None) as batch_op:
        batch_op.drop_column('retired_on')
    with op.batch_alter_table('organisation_name', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_name_code'))
        batch_op.drop_column('code')
