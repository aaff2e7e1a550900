"""stamp images: an organisation's seal image and a person's signature image (transparent PNGs)

Revision ID: 5e7a9c31b2d4
Revises: b7c3e9a1d2f4
Create Date: 2026-12-01 15:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e7a9c31b2d4'
down_revision = 'b7c3e9a1d2f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stamp_image',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('stored_file_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('(organisation_id IS NULL) != (user_id IS NULL)',
                           name=op.f('ck_stamp_image_one_owner')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_stamp_image_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['stored_file_id'], ['stored_file.id'],
                                name=op.f('fk_stamp_image_stored_file_id_stored_file')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'],
                                name=op.f('fk_stamp_image_uploaded_by_id_user')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_stamp_image_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stamp_image')),
        sa.UniqueConstraint('organisation_id', name=op.f('uq_stamp_image_organisation_id')),
        sa.UniqueConstraint('user_id', name=op.f('uq_stamp_image_user_id')),
    )


def downgrade():
    op.drop_table('stamp_image')
