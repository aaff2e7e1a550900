"""The Vietnamese collation: names sort A Ă Â B C D Đ E … Y (ICU's "vi"), on PostgreSQL

Revision ID: 5b9d3e7a2c41
Revises: 8e1d2c4b5a90
Create Date: 2026-12-01 15:00:00

SQLite gets the same collation, under the same name, on every connection
(portal.collation.register_sqlite): nothing to do there.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b9d3e7a2c41'
down_revision = '8e1d2c4b5a90'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE COLLATION IF NOT EXISTS vietnamese (provider = icu, locale = 'vi')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP COLLATION IF EXISTS vietnamese")
