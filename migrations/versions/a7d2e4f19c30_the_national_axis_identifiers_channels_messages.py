"""the national axis: organisations' identifiers and channels, edXML messages, axis tokens

Every organisation gets its national identifier (organ_id, mã định danh, unique) and the
channel it receives through (portal or axis), with the contact fields an edXML From block
carries (address, e-mail, telephone); senders known only from the axis are organisations of
kind `external`. `axis_message` keeps every message in or out, `axis_document` what a received
package said of its document, `axis_token` the hashed tokens the axis presents. A job may send
an axis message (job.message_id). A document received through the axis has no author here
(document.author_id becomes nullable).

Revision ID: a7d2e4f19c30
Revises: c4e2a7f91b3d
Create Date: 2026-12-02 01:30:00
"""
import contextlib

import sqlalchemy as sa
from alembic import op

revision = 'a7d2e4f19c30'
down_revision = 'c4e2a7f91b3d'
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:  # adds only: no rebuild
        batch_op.add_column(sa.Column('organ_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('channel', sa.String(length=10), nullable=False,
                                      server_default='portal'))
        batch_op.add_column(sa.Column('address', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('telephone', sa.String(length=50), nullable=True))
    op.create_index(op.f('ix_organisation_organ_id'), 'organisation', ['organ_id'], unique=True)
    op.create_table(
        'axis_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('direction', sa.String(length=3), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('event_key', sa.String(length=120), nullable=True),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('delivery_id', BIG_ID, nullable=True),
        sa.Column('edxml_document_id', sa.String(length=255), nullable=True),
        sa.Column('from_organ_id', sa.String(length=40), nullable=True),
        sa.Column('to_organ_ids', sa.JSON(), nullable=False),
        sa.Column('business_type', sa.Integer(), nullable=True),
        sa.Column('status_code', sa.String(length=2), nullable=True),
        sa.Column('file_id', sa.Integer(), nullable=True),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('http_status', sa.Integer(), nullable=True),
        sa.Column('error', sa.String(length=1000), nullable=True),
        sa.Column('signature', sa.String(length=10), nullable=True),
        sa.Column('notes', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['delivery_id'], ['delivery.id'],
                                name=op.f('fk_axis_message_delivery_id_delivery')),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'],
                                name=op.f('fk_axis_message_document_id_document')),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'],
                                name=op.f('fk_axis_message_file_id_stored_file')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_axis_message')),
        sa.UniqueConstraint('event_key', name=op.f('uq_axis_message_event_key')))
    op.create_index(op.f('ix_axis_message_delivery_id'), 'axis_message', ['delivery_id'])
    op.create_index(op.f('ix_axis_message_document_id'), 'axis_message', ['document_id'])
    op.create_index(op.f('ix_axis_message_edxml_document_id'), 'axis_message',
                    ['edxml_document_id'])
    op.create_index('ix_axis_message_direction_state', 'axis_message', ['direction', 'state'])
    op.create_table(
        'axis_document',
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('edxml_document_id', sa.String(length=255), nullable=False),
        sa.Column('header', sa.JSON(), nullable=False),
        sa.Column('signature', sa.String(length=10), nullable=False),
        sa.Column('replaces_document_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('update_reason', sa.String(length=1000), nullable=True),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'],
                                name=op.f('fk_axis_document_document_id_document')),
        sa.ForeignKeyConstraint(['message_id'], ['axis_message.id'],
                                name=op.f('fk_axis_document_message_id_axis_message')),
        sa.ForeignKeyConstraint(['replaces_document_id'], ['document.id'],
                                name=op.f('fk_axis_document_replaces_document_id_document')),
        sa.PrimaryKeyConstraint('document_id', name=op.f('pk_axis_document')),
        sa.UniqueConstraint('edxml_document_id', name=op.f('uq_axis_document_edxml_document_id')))
    op.create_table(
        'axis_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=12), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_axis_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_axis_token_token_hash')))
    with _rebuilding_tables():
        with op.batch_alter_table('job', schema=None) as batch_op:
            batch_op.add_column(sa.Column('message_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f('ix_job_message_id'), ['message_id'])
            batch_op.create_foreign_key(batch_op.f('fk_job_message_id_axis_message'),
                                        'axis_message', ['message_id'], ['id'])
        with op.batch_alter_table('document', schema=None) as batch_op:
            batch_op.alter_column('author_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    with _rebuilding_tables():
        with op.batch_alter_table('document', schema=None) as batch_op:
            batch_op.alter_column('author_id', existing_type=sa.Integer(), nullable=False)
        with op.batch_alter_table('job', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('fk_job_message_id_axis_message'),
                                     type_='foreignkey')
            batch_op.drop_index(batch_op.f('ix_job_message_id'))
            batch_op.drop_column('message_id')
    op.drop_table('axis_token')
    op.drop_table('axis_document')
    op.drop_index('ix_axis_message_direction_state', table_name='axis_message')
    op.drop_index(op.f('ix_axis_message_edxml_document_id'), table_name='axis_message')
    op.drop_index(op.f('ix_axis_message_document_id'), table_name='axis_message')
    op.drop_index(op.f('ix_axis_message_delivery_id'), table_name='axis_message')
    op.drop_table('axis_message')
    op.drop_index(op.f('ix_organisation_organ_id'), table_name='organisation')
    with _rebuilding_tables():
        with op.batch_alter_table('organisation', schema=None) as batch_op:
            for column in ('telephone', 'email', 'address', 'channel', 'organ_id'):
                batch_op.drop_column(column)


@contextlib.contextmanager
def _rebuilding_tables():
    """SQLite alters a column only by rebuilding its table, which the other tables' foreign
    keys forbid while they are enforced (SQLite ignores the PRAGMA inside a transaction, so
    the work before is committed first), and which the leaderboard's triggers (which name the
    tables rebuilt) forbid too: they are dropped before and made again after, as they were."""
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    triggers = op.get_bind().execute(sa.text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
    for name, _ in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    with op.get_context().autocommit_block():
        op.execute("PRAGMA foreign_keys=OFF")
    yield
    for _, statement in triggers:
        op.execute(statement)
    with op.get_context().autocommit_block():
        op.execute("PRAGMA foreign_keys=ON")
