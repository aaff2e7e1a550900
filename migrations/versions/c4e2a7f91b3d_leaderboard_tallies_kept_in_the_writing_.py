"""leaderboard tallies kept in the writing transaction: triggers record each change's effect

Revision ID: c4e2a7f91b3d
Revises: e3a91c5d7b20
Create Date: 2026-12-01 22:00:00

Until now triggers marked the day of every changed delivery stale and the next reader recounted
the whole day. Now the triggers write into `leaderboard_day_change`, for each delivery inserted,
deleted or changed in a counted column, what it adds to or takes from its (organisation, day)
in the received columns (its old row's contribution with -1, its new row's with +1), and mark
the sending department's (organisation, day) whose documents are to be recounted (the sent
columns count documents, not deliveries: a delta per delivery cannot say whether another
delivery of the same document still counts it). `tallies.apply_changes` consumes the rows in
the writing transaction, just before it commits. The column definitions written here in SQL
are `counting.counts_select`'s; tests hold the tallies equal to `raw_counts` after every kind
of change.

On PostgreSQL each row carries the writing transaction's id, so a writer consumes its own rows
only (rows left by a commit that bypassed the session are consumed by the next reader).
`leaderboard_stale_day` stays for whole days still to recount (rows marked before this
revision, bulk loads). A department's documents get an index by issuer and moment issued, for
its leaderboard page's keyset-paged list. A migration that rebuilds `delivery` or `document` on
SQLite must make these triggers again (as 99bad08cf86f did for the previous ones).
"""
import sqlalchemy as sa
from alembic import op

revision = 'c4e2a7f91b3d'
down_revision = 'e3a91c5d7b20'
branch_labels = None
depends_on = None

COUNTED = ("recipient_id", "addressed_to_id", "document_id", "channel", "status",
           "received_on", "due_on", "acknowledged_at", "replied_at")
RECEIVED = ("interaction_received_from_ministry", "interaction_processed",
            "deadline_documents", "deadline_replied", "deadline_replied_on_time",
            "axis_received_from_ministry")
MINISTRY_SIDE = "('ministry', 'ministry_unit')"


def _local_date(dialect, value):
    if dialect == "postgresql":
        return f"CAST(timezone('Asia/Ho_Chi_Minh', {value}) AS DATE)"
    return f"date({value}, '+7 hours')"


def _change_rows(dialect, r, sign, source=""):
    """INSERT … SELECT of the change rows of delivery row `r` (a transition table's alias on
    PostgreSQL, NEW or OLD on SQLite), counted with `sign`."""
    portal, axis = f"{r}.channel = 'portal'", f"{r}.channel = 'axis'"
    kept = f"{portal} AND {r}.status <> '02'"
    deadline = f"{kept} AND {r}.due_on IS NOT NULL"
    replied = f"{deadline} AND {r}.replied_at IS NOT NULL"
    on_time = f"{replied} AND {_local_date(dialect, r + '.replied_at')} <= {r}.due_on"
    conditions = (portal, f"{kept} AND {r}.acknowledged_at IS NOT NULL", deadline, replied,
                  on_time, axis)
    values = ", ".join(f"CASE WHEN {c} THEN {sign} ELSE 0 END" for c in conditions)
    addressed = f"coalesce({r}.addressed_to_id, {r}.recipient_id)"
    joins = (f"JOIN organisation i ON i.id = d.issuer_id "
             f"JOIN organisation t ON t.id = {addressed}")
    if source:  # PostgreSQL: the statement's rows
        frm = f"FROM {source} JOIN document d ON d.id = {r}.document_id {joins} WHERE"
    else:  # SQLite: the one row
        frm = f"FROM document d {joins} WHERE d.id = {r}.document_id AND"
    return (
        f"INSERT INTO leaderboard_day_change (organisation_id, day, recount_sent, "
        f"{', '.join(RECEIVED)}) "
        f"SELECT {addressed}, {r}.received_on, {_false(dialect)}, {values} {frm} "
        f"i.kind IN {MINISTRY_SIDE} AND t.kind = 'department' AND {r}.status <> '15' "
        f"UNION ALL "
        f"SELECT DISTINCT d.issuer_id, {r}.received_on, {_true(dialect)}, 0, 0, 0, 0, 0, 0 "
        f"{frm} i.kind = 'department' AND t.kind IN {MINISTRY_SIDE};")


def _true(dialect):
    return "true" if dialect == "postgresql" else "1"


def _false(dialect):
    return "false" if dialect == "postgresql" else "0"


def _changed(a, b):
    return " OR ".join(f"{a}.{c} IS DISTINCT FROM {b}.{c}" for c in COUNTED)


def _postgresql_triggers():
    changed_new = ("(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id "
                   f"WHERE {_changed('n', 'o')}) r")
    changed_old = ("(SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id "
                   f"WHERE {_changed('n', 'o')}) r")
    return [
        f"""
        CREATE FUNCTION leaderboard_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            {_change_rows("postgresql", "r", 1, "new_rows r")}
          ELSIF TG_OP = 'DELETE' THEN
            {_change_rows("postgresql", "r", -1, "old_rows r")}
          ELSE
            {_change_rows("postgresql", "r", 1, changed_new)}
            {_change_rows("postgresql", "r", -1, changed_old)}
          END IF;
          RETURN NULL;
        END $$""",
        """CREATE TRIGGER delivery_inserted_tally AFTER INSERT ON delivery
           REFERENCING NEW TABLE AS new_rows
           FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_record_change()""",
        """CREATE TRIGGER delivery_updated_tally AFTER UPDATE ON delivery
           REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
           FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_record_change()""",
        """CREATE TRIGGER delivery_deleted_tally AFTER DELETE ON delivery
           REFERENCING OLD TABLE AS old_rows
           FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_record_change()""",
        f"""
        CREATE FUNCTION leaderboard_record_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO leaderboard_day_change (organisation_id, day, recount_sent)
          SELECT DISTINCT n.issuer_id, r.received_on, true
          FROM new_rows n JOIN old_rows o ON o.id = n.id
          JOIN organisation i ON i.id = n.issuer_id AND i.kind = 'department'
          JOIN delivery r ON r.document_id = n.id
          JOIN organisation t ON t.id = coalesce(r.addressed_to_id, r.recipient_id)
          WHERE n.sealed_at IS DISTINCT FROM o.sealed_at AND t.kind IN {MINISTRY_SIDE};
          RETURN NULL;
        END $$""",
        """CREATE TRIGGER document_sealed_tally AFTER UPDATE ON document
           REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
           FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_record_sealed()""",
    ]


SQLITE_SEALED_TRIGGER = f"""CREATE TRIGGER document_sealed_tally
    AFTER UPDATE OF sealed_at ON document WHEN OLD.sealed_at IS NOT NEW.sealed_at
    BEGIN INSERT INTO leaderboard_day_change (organisation_id, day, recount_sent)
          SELECT DISTINCT NEW.issuer_id, r.received_on, 1 FROM delivery r
          JOIN organisation i ON i.id = NEW.issuer_id AND i.kind = 'department'
          JOIN organisation t ON t.id = coalesce(r.addressed_to_id, r.recipient_id)
          WHERE r.document_id = NEW.id AND t.kind IN {MINISTRY_SIDE}; END"""


def _sqlite_triggers():
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COUNTED)
    return [
        f"""CREATE TRIGGER delivery_inserted_tally AFTER INSERT ON delivery
            BEGIN {_change_rows("sqlite", "NEW", 1)} END""",
        f"""CREATE TRIGGER delivery_updated_tally AFTER UPDATE OF {", ".join(COUNTED)}
            ON delivery WHEN {changed}
            BEGIN {_change_rows("sqlite", "OLD", -1)} {_change_rows("sqlite", "NEW", 1)} END""",
        f"""CREATE TRIGGER delivery_deleted_tally AFTER DELETE ON delivery
            BEGIN {_change_rows("sqlite", "OLD", -1)} END""",
        SQLITE_SEALED_TRIGGER,
    ]


# The triggers of 7b0f945a4b78 (as 99bad08cf86f left them), for the downgrade.
OLD_COUNTED = ("recipient_id", "document_id", "channel", "status", "received_on", "due_on",
               "acknowledged_at", "replied_at")


def _old_postgresql_triggers():
    return [
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
            WHERE ({", ".join("n." + c for c in OLD_COUNTED)})
                  IS DISTINCT FROM ({", ".join("o." + c for c in OLD_COUNTED)});
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


def _sqlite_mark(day):
    return (f"INSERT INTO leaderboard_stale_day (day) SELECT {day} WHERE NOT EXISTS "
            f"(SELECT 1 FROM leaderboard_stale_day WHERE day = {day});")


def _old_sqlite_triggers():
    return [
        f"""CREATE TRIGGER delivery_inserted_stale AFTER INSERT ON delivery
            BEGIN {_sqlite_mark("NEW.received_on")} END""",
        f"""CREATE TRIGGER delivery_updated_stale AFTER UPDATE OF {", ".join(OLD_COUNTED)}
            ON delivery
            BEGIN {_sqlite_mark("NEW.received_on")} {_sqlite_mark("OLD.received_on")} END""",
        f"""CREATE TRIGGER delivery_deleted_stale AFTER DELETE ON delivery
            BEGIN {_sqlite_mark("OLD.received_on")} END""",
        """CREATE TRIGGER document_sealed_stale AFTER UPDATE OF sealed_at ON document
            BEGIN INSERT INTO leaderboard_stale_day (day)
                  SELECT DISTINCT received_on FROM delivery WHERE document_id = NEW.id; END""",
    ]


TRIGGERS = (("delivery_inserted", "delivery"), ("delivery_updated", "delivery"),
            ("delivery_deleted", "delivery"), ("document_sealed", "document"))


def _drop_triggers(suffix, functions):
    postgresql = op.get_bind().dialect.name == "postgresql"
    for trigger, table in TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger}_{suffix} ON {table}" if postgresql
                   else f"DROP TRIGGER {trigger}_{suffix}")
    if postgresql:
        for function in functions:
            op.execute(f"DROP FUNCTION {function}()")


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        'leaderboard_day_change',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('recount_sent', sa.Boolean(), nullable=False, server_default=sa.false()),
        *(sa.Column(c, sa.Integer(), nullable=False, server_default="0") for c in RECEIVED),
        sa.Column('transaction_id', sa.BigInteger(), nullable=True,
                  server_default=sa.text("txid_current()") if postgresql else None),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_leaderboard_day_change')))
    _drop_triggers("stale", ("leaderboard_mark_stale", "leaderboard_mark_sealed_stale"))
    # Creating an index does not rebuild the table (its triggers stay).
    op.create_index('ix_document_issuer_issued', 'document', ['issuer_id', 'issued_at', 'id'])
    op.create_index('ix_delivery_addressed_to_received', 'delivery',
                    ['addressed_to_id', 'received_at', 'id'],
                    postgresql_where=sa.text('addressed_to_id IS NOT NULL'),
                    sqlite_where=sa.text('addressed_to_id IS NOT NULL'))
    for statement in _postgresql_triggers() if postgresql else _sqlite_triggers():
        op.execute(statement)


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    _drop_triggers("tally", ("leaderboard_record_change", "leaderboard_record_sealed"))
    for statement in _old_postgresql_triggers() if postgresql else _old_sqlite_triggers():
        op.execute(statement)
    # What the changes not yet applied would have done: recount their days.
    op.execute("INSERT INTO leaderboard_stale_day (day) "
               "SELECT DISTINCT day FROM leaderboard_day_change")
    op.drop_table('leaderboard_day_change')
    op.drop_index('ix_document_issuer_issued', table_name='document')
    op.drop_index('ix_delivery_addressed_to_received', table_name='delivery')
