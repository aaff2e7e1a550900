"""leaderboard daily tallies, stale days and their triggers, oversight thresholds

Revision ID: 7b0f945a4b78
Revises: c19799bd3c61
Create Date: 2026-11-23 14:53:21.123948

Triggers on `delivery` (and on `document.sealed_at`) write the day of every delivery that is
inserted, deleted or changed in a counted column into `leaderboard_stale_day`; the leaderboard
recounts those days before it reads its tallies. PostgreSQL uses statement triggers with
transition tables (one row per day, not per delivery, for bulk writes); SQLite has row triggers
only, and skips a day already marked: SQLite writers never run at the same time, so the mark
cannot be consumed between the check and the change.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b0f945a4b78'
down_revision = 'c19799bd3c61'
branch_labels = None
depends_on = None

# The delivery columns the leaderboard reads; a change in any other column is not counted.
COUNTED = ("recipient_id", "document_id", "channel", "status", "received_on", "due_on",
           "acknowledged_at", "replied_at")

POSTGRESQL_TRIGGERS = [
    f"""
    CREATE FUNCTION leaderboard_mark_stale() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO leaderboard_stale_day (day) SELECT DISTINCT received_on FROM new_rows;
      ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO leaderboard_stale_day (day) SELECT DISTINCT received_on FROM old_rows;
      ELSE
        INSERT INTO leaderboard_stale_day (day)
        SELECT DISTINCT x.day FROM new_rows n JOIN old_rows o ON o.id = n.id
        CROSS JOIN LATERAL (VALUES (n.received_on), (o.received_on)) AS x(day)
        WHERE ({", ".join("n." + c for c in COUNTED)})
              IS DISTINCT FROM ({", ".join("o." + c for c in COUNTED)});
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER delivery_inserted_stale AFTER INSERT ON delivery
       REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_mark_stale()""",
    """CREATE TRIGGER delivery_updated_stale AFTER UPDATE ON delivery
       REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
       FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_mark_stale()""",
    """CREATE TRIGGER delivery_deleted_stale AFTER DELETE ON delivery
       REFERENCING OLD TABLE AS old_rows
       FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_mark_stale()""",
    """
    CREATE FUNCTION leaderboard_mark_sealed_stale() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO leaderboard_stale_day (day)
      SELECT DISTINCT d.received_on FROM new_rows n JOIN old_rows o ON o.id = n.id
      JOIN delivery d ON d.document_id = n.id
      WHERE n.sealed_at IS DISTINCT FROM o.sealed_at;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER document_sealed_stale AFTER UPDATE ON document
       REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
       FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_mark_sealed_stale()""",
]


def _sqlite_mark(day: str) -> str:
    return (f"INSERT INTO leaderboard_stale_day (day) SELECT {day} WHERE NOT EXISTS "
            f"(SELECT 1 FROM leaderboard_stale_day WHERE day = {day});")


SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER delivery_inserted_stale AFTER INSERT ON delivery
        BEGIN {_sqlite_mark("NEW.received_on")} END""",
    f"""CREATE TRIGGER delivery_updated_stale AFTER UPDATE OF {", ".join(COUNTED)} ON delivery
        BEGIN {_sqlite_mark("NEW.received_on")} {_sqlite_mark("OLD.received_on")} END""",
    f"""CREATE TRIGGER delivery_deleted_stale AFTER DELETE ON delivery
        BEGIN {_sqlite_mark("OLD.received_on")} END""",
    """CREATE TRIGGER document_sealed_stale AFTER UPDATE OF sealed_at ON document
        BEGIN INSERT INTO leaderboard_stale_day (day)
              SELECT DISTINCT received_on FROM delivery WHERE document_id = NEW.id; END""",
]


def upgrade():
    op.create_table('leaderboard_stale_day',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leaderboard_stale_day'))
    )
    op.create_index(op.f('ix_leaderboard_stale_day_day'), 'leaderboard_stale_day', ['day'],
                    unique=False)
    op.create_table('oversight_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('overdue_threshold_percent', sa.Integer(), nullable=False),
    sa.Column('unsigned_threshold_percent', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oversight_settings'))
    )
    op.create_table('leaderboard_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('interaction_received_from_ministry', sa.Integer(), nullable=False),
    sa.Column('interaction_processed', sa.Integer(), nullable=False),
    sa.Column('deadline_documents', sa.Integer(), nullable=False),
    sa.Column('deadline_replied', sa.Integer(), nullable=False),
    sa.Column('deadline_replied_on_time', sa.Integer(), nullable=False),
    sa.Column('interaction_sent_to_ministry', sa.Integer(), nullable=False),
    sa.Column('axis_received_from_ministry', sa.Integer(), nullable=False),
    sa.Column('axis_sent_to_ministry', sa.Integer(), nullable=False),
    sa.Column('unsigned_sent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_leaderboard_day_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('day', 'organisation_id', name=op.f('pk_leaderboard_day'))
    )
    op.create_index('ix_delivery_unanswered_due', 'delivery', ['due_on'], unique=False,
                    postgresql_where=sa.text('replied_at IS NULL AND due_on IS NOT NULL'),
                    sqlite_where=sa.text('replied_at IS NULL AND due_on IS NOT NULL'))
    triggers = (POSTGRESQL_TRIGGERS if op.get_bind().dialect.name == "postgresql"
                else SQLITE_TRIGGERS)
    for statement in triggers:
        op.execute(statement)
    # Deliveries made before this revision: every day they were received is still to count.
    op.execute("INSERT INTO leaderboard_stale_day (day) SELECT DISTINCT received_on FROM delivery")


def downgrade():
    for trigger, table in (("delivery_inserted_stale", "delivery"),
                           ("delivery_updated_stale", "delivery"),
                           ("delivery_deleted_stale", "delivery"),
                           ("document_sealed_stale", "document")):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER {trigger} ON {table}")
        else:
            op.execute(f"DROP TRIGGER {trigger}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION leaderboard_mark_stale()")
        op.execute("DROP FUNCTION leaderboard_mark_sealed_stale()")
    op.drop_index('ix_delivery_unanswered_due', table_name='delivery')
    op.drop_table('leaderboard_day')
    op.drop_table('oversight_settings')
    op.drop_index(op.f('ix_leaderboard_stale_day_day'), table_name='leaderboard_stale_day')
    op.drop_table('leaderboard_stale_day')
