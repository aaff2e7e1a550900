"""issuing authority apart from the drafting unit; a person's title and how they sign

The document's authority (cơ quan ban hành) numbers, heads and seals it; documents issued so
far were numbered in their drafting organisation's register, so that is their authority. The
printed signer comes from the signature chain and the person's title: the free-text signer
columns go.

Revision ID: b7e4a1c9d2f3
Revises: 5e7a9c31b2d4
Create Date: 2026-12-01 15:00:00

"""
import contextlib

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e4a1c9d2f3'
down_revision = '5e7a9c31b2d4'
branch_labels = None
depends_on = None


# Rebuilding the table on SQLite drops its triggers: the leaderboard's (7b0f945a4b78), made
# again after each rebuild as that migration made it.
SQLITE_DOCUMENT_TRIGGER = """CREATE TRIGGER document_sealed_stale
        AFTER UPDATE OF sealed_at ON document
        BEGIN INSERT INTO leaderboard_stale_day (day)
              SELECT DISTINCT received_on FROM delivery WHERE document_id = NEW.id; END"""


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=100), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('signs_as', sa.String(length=20), nullable=False,
                                      server_default='head'))
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('authority_id', sa.Integer(), nullable=True))
    op.execute("UPDATE document SET authority_id = issuer_id")
    with _rebuilding_tables():
        _authority_required()


def _authority_required():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.alter_column('authority_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(op.f('fk_document_authority_id_organisation'),
                                    'organisation', ['authority_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_document_authority_id'), ['authority_id'],
                              unique=False)
        batch_op.drop_constraint(op.f('uq_document_issuer_id'), type_='unique')
        batch_op.create_unique_constraint(op.f('uq_document_authority_id'),
                                          ['authority_id', 'year', 'number'])
        batch_op.drop_column('signer_name')
        batch_op.drop_column('signer_title')


@contextlib.contextmanager
def _rebuilding_tables():
    """SQLite changes these columns only by rebuilding the table, which the other tables'
    foreign keys forbid while they are enforced; SQLite ignores the PRAGMA inside a
    transaction, so the work before is committed first."""
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
        _free_text_signer_back()
        with op.batch_alter_table('user', schema=None) as batch_op:
            batch_op.drop_column('signs_as')
            batch_op.drop_column('title')


def _free_text_signer_back():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signer_title', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('signer_name', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.drop_constraint(op.f('uq_document_authority_id'), type_='unique')
        batch_op.create_unique_constraint(op.f('uq_document_issuer_id'),
                                          ['issuer_id', 'year', 'number'])
        batch_op.drop_index(batch_op.f('ix_document_authority_id'))
        batch_op.drop_constraint(op.f('fk_document_authority_id_organisation'),
                                 type_='foreignkey')
        batch_op.drop_column('authority_id')
