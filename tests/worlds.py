"""A world built once for a module and put back as it was before each case that uses it.

Building a world (people with their second factor, documents through their jobs, the
development PKI) costs far more than a case that only visits a page. `Snapshot` keeps what the
world is made of right after it was built, and `restore` puts exactly that back:

- every table's rows, and the next ids (PostgreSQL's sequences; SQLite's follow from the rows,
  or from sqlite_sequence): a case that adds a row gets the id it would get in a fresh world;
- the stored files, so a file one case removed is there again for the next;
- the run's Redis database (the RQ queue, its jobs and registries, the rate-limit counters),
  key by key; without Redis, the in-memory rate-limit counters are emptied, as the world is
  built without a request;
- what the people know of their second factor (tests.factories' secrets and recovery codes).

Why rows rather than a copy of the database: it is one mechanism, through the same metadata,
on SQLite and PostgreSQL alike (a file copy is SQLite's only, a template database
PostgreSQL's only and costs a database per case), and a transaction rolled back would not
hold: the requests commit, the RQ worker and the queue live outside it, and so do the
files.

Only the tables written since the world was last put back are compared with the snapshot and
mended (rows added, changed or removed): every statement this process sends is watched
(`_note_writes`), and one that is not a plain read or a plain INSERT, UPDATE or DELETE sends
every table back whole, as does a mend the database refuses. Writes by other processes are not
seen: a world is for modules whose work runs here (the in-process RQ worker included).
"""

import re
from pathlib import Path

from sqlalchemy import event, func, literal, select, text, tuple_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import sort_tables_and_constraints

from portal.extensions import db, limiter
from tests import factories

# The key by which a run claims its Redis database number (tests/conftest.py's redis_url).
REDIS_CLAIM_KEY = "portal-test-claim"

EVERY_TABLE = "*"
_WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)'
                    r'\s+"?(\w+)"?', re.IGNORECASE)
_READ = re.compile(r"\s*(?:SELECT|PRAGMA|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SHOW|SET)\b",
                   re.IGNORECASE)
_written: set[str] = set()  # the tables written since the last snapshot or restore


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, cursor, statement, parameters, context, executemany):
    match = _WRITE.match(statement)
    if match:
        _written.add(match.group(1))
    elif not _READ.match(statement):
        _written.add(EVERY_TABLE)


def _tables_and_deferred_keys():
    """The tables in the order rows can be inserted, and the foreign keys that order cannot
    satisfy (a cycle between tables, or a table referring to itself): their columns are
    written after all rows are in."""
    tables, deferred = [], []
    for table, keys in sort_tables_and_constraints(db.metadata.tables.values()):
        if table is None:
            deferred.extend(keys)
        else:
            tables.append(table)
            deferred.extend(k for k in keys if k.referred_table is table)
    return tables, deferred


def delete_all_rows():
    """Delete every row of every table (in the session's transaction), cycles broken first.

    Deleting deliveries writes the leaderboard's tally changes (a trigger): they are deleted
    last."""
    from portal.leaderboard.models import StaleDay, TallyChange

    tables, deferred = _tables_and_deferred_keys()
    for key in deferred:
        if key.referred_table is not key.table:  # a table's rows referring to each other go
            db.session.execute(update(key.table).values(dict.fromkeys(  # in one statement
                (c.name for c in key.columns), None)))
    for table in reversed(tables):
        db.session.execute(table.delete())
    db.session.execute(StaleDay.__table__.delete())
    db.session.execute(TallyChange.__table__.delete())


def _trigger_tables():
    """The tables the leaderboard's triggers write."""
    from portal.leaderboard.models import StaleDay, TallyChange

    return (StaleDay.__table__, TallyChange.__table__)


def _sequences() -> dict[str, tuple[int, bool]]:
    """PostgreSQL's sequences of the schema: their last value and whether it was used."""
    rows = db.session.execute(text(
        "SELECT quote_ident(sequencename), coalesce(last_value, start_value), "
        "last_value IS NOT NULL FROM pg_sequences WHERE schemaname = current_schema()"))
    return {name: (value, called) for name, value, called in rows}


def set_sequences(values: dict[str, tuple[int, bool]]) -> None:
    if values:
        calls = ", ".join(f"setval('{name}', {value}, {str(called).lower()})"
                          for name, (value, called) in values.items())
        db.session.execute(text(f"SELECT {calls}"))


def restart_sequences() -> None:
    """Ids start again at 1, as in an empty database (PostgreSQL)."""
    rows = db.session.execute(text("SELECT quote_ident(sequencename), start_value "
                                   "FROM pg_sequences WHERE schemaname = current_schema()"))
    set_sequences({name: (start, False) for name, start in rows})


def empty_postgresql_tables(tables, large=1000) -> None:
    """Empty the tables, ids starting again at 1. A test's few rows are deleted: milliseconds,
    where TRUNCATE takes about half a second (new files for every table). A table of more
    than `large` rows (the demo's history) is truncated with all the others: deleting row by
    row checks each foreign key against the rows deleted before."""
    counts = db.session.execute(select(*(
        select(func.count()).select_from(select(literal(1)).select_from(t).limit(large + 1)
                                         .subquery()).scalar_subquery()
        for t in tables))).one()
    if max(counts) > large:
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        delete_all_rows()
        restart_sequences()


def _key(table, row) -> tuple:
    return tuple(row[c.name] for c in table.primary_key.columns)


class Snapshot:
    """What a world is made of, taken right after it was built (see the module's docstring)."""

    def __init__(self, app):
        self.app = app
        tables, deferred = _tables_and_deferred_keys()
        # The columns written once all rows are in (cycles and tables referring to themselves).
        self.later = {table: {c.name for k in deferred if k.table is table for c in k.columns}
                      for table in tables}
        self.rows = {table: [dict(row) for row in db.session.execute(
            select(table).order_by(*table.primary_key.columns)).mappings()] for table in tables}
        postgresql = db.engine.dialect.name == "postgresql"
        self.sequences = _sequences() if postgresql else {}
        self.sqlite_sequence = [] if postgresql else self._sqlite_sequence()
        self.files = self._files()
        self.redis = self._redis_keys()
        self.second_factors = (dict(factories.TOTP_SECRETS),
                               {email: list(codes) for email, codes in
                                factories.RECOVERY_CODES.items()})
        self.by_key = {table: {_key(table, row): row for row in rows}
                       for table, rows in self.rows.items()}
        db.session.remove()
        _written.clear()

    def restore(self) -> None:
        db.session.remove()
        if not self._mend_written_tables():
            self._restore_rows()
        _written.clear()
        self._restore_files()
        self._restore_redis()
        secrets, codes = self.second_factors
        factories.TOTP_SECRETS.clear()
        factories.TOTP_SECRETS.update(secrets)
        factories.RECOVERY_CODES.clear()
        factories.RECOVERY_CODES.update({email: list(c) for email, c in codes.items()})

    def _written_tables(self) -> list | None:
        """The tables written since the last restore, in the order rows can be inserted (None:
        all of them). Deleting a document deletes its attachments and signature steps
        (ON DELETE CASCADE): those come along."""
        if EVERY_TABLE in _written or self.sqlite_sequence:
            return None
        written = {table for table in self.rows if table.name in _written}
        written |= {table for table in self.rows for key in table.foreign_keys
                    if key.ondelete and key.column.table in written}
        return [table for table in self.rows if table in written]

    def _mend_written_tables(self) -> bool:
        """Mend the written tables row by row into the snapshot's; False if it cannot be done
        so (nothing is changed then)."""
        tables = self._written_tables()
        if tables is None:
            return False
        try:
            now = {table: {_key(table, row): dict(row) for row in db.session.execute(
                select(table)).mappings()} for table in tables}
            for table in tables:  # the columns written last are emptied where they differ
                for key, row in now[table].items():
                    kept = self.by_key[table].get(key)
                    empty = {c: None for c in self.later[table] if row[c] is not None
                             and (kept is None or kept[c] != row[c])}
                    if empty:
                        self._update(table, key, empty)
                        row.update(empty)
            for table in tables:  # rows removed come back, parents first
                missing = [row for key, row in self.by_key[table].items() if key not in now[table]]
                if missing:
                    db.session.execute(table.insert(), [
                        {**row, **dict.fromkeys(self.later[table], None)} for row in missing])
                    for row in missing:
                        now[table][_key(table, row)] = {**row, **dict.fromkeys(
                            self.later[table], None)}
            for table in tables:  # rows changed are changed back
                for key, kept in self.by_key[table].items():
                    changed = {c: v for c, v in kept.items() if c not in self.later[table]
                               and now[table][key][c] != v}
                    if changed:
                        self._update(table, key, changed)
            for table in reversed(tables):  # rows added go, children first
                added = [key for key in now[table] if key not in self.by_key[table]]
                columns = list(table.primary_key.columns)
                for start in range(0, len(added), 500):
                    db.session.execute(table.delete().where(
                        tuple_(*columns).in_(added[start:start + 500])))
            for table in tables:  # and the columns written last are written
                for key, kept in self.by_key[table].items():
                    later = {c: kept[c] for c in self.later[table]
                             if kept[c] is not None and now[table][key][c] != kept[c]}
                    if later:
                        self._update(table, key, later)
            self._restore_stale_days()
            set_sequences(self.sequences)
            db.session.commit()
        except DBAPIError:  # e.g. a unique value moved from one row to another: all back whole
            db.session.rollback()
            return False
        finally:
            db.session.remove()
        return True

    def _restore_stale_days(self) -> None:
        """Writing deliveries writes the leaderboard's tally changes (a trigger, unseen by
        `_note_writes`): the world's rows only, whatever was written."""
        for marks in _trigger_tables():
            db.session.execute(marks.delete())
            if self.rows[marks]:
                db.session.execute(marks.insert(), self.rows[marks])

    @staticmethod
    def _update(table, key, values) -> None:
        db.session.execute(update(table).where(
            *(c == v for c, v in zip(table.primary_key.columns, key, strict=True))).values(values))

    def _restore_rows(self) -> None:
        delete_all_rows()
        later = self.later
        for table, rows in self.rows.items():
            if rows and table not in _trigger_tables():
                db.session.execute(table.insert(), [
                    {**row, **dict.fromkeys(later[table], None)} for row in rows])
        for table, columns in later.items():
            for row in self.rows[table]:
                values = {c: row[c] for c in columns if row[c] is not None}
                if values:
                    self._update(table, _key(table, row), values)
        self._restore_stale_days()
        set_sequences(self.sequences)
        if self.sqlite_sequence:
            db.session.execute(text("DELETE FROM sqlite_sequence"))
            db.session.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
                               self.sqlite_sequence)
        db.session.commit()
        db.session.remove()

    @staticmethod
    def _sqlite_sequence() -> list[dict]:
        exists = db.session.scalar(text(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'"))
        if not exists:
            return []
        return [dict(row) for row in db.session.execute(
            text("SELECT name, seq FROM sqlite_sequence")).mappings()]

    def _storage(self) -> Path:
        return Path(self.app.config["STORAGE_DIR"])

    def _files(self) -> dict[str, bytes]:
        root = self._storage()
        return {str(path.relative_to(root)): path.read_bytes()
                for path in root.rglob("*") if path.is_file()}

    def _restore_files(self) -> None:
        # Stored files are named by their content: one with the same name and size is the same.
        root = self._storage()
        for path in root.rglob("*"):
            if path.is_file():
                kept = self.files.get(str(path.relative_to(root)))
                if kept is None or len(kept) != path.stat().st_size:
                    path.unlink()
        for name, data in self.files.items():
            path = root / name
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)

    def _redis(self):
        import redis

        url = self.app.config["REDIS_URL"]
        return redis.Redis.from_url(url) if url else None

    def _redis_keys(self) -> dict[bytes, tuple[int, bytes]]:
        client = self._redis()
        if client is None:
            return {}
        keys = {}
        for key in client.scan_iter():
            dumped = client.dump(key)
            if key != REDIS_CLAIM_KEY.encode() and dumped is not None:
                keys[key] = (max(client.pttl(key), 0), dumped)  # 0: kept for good
        return keys

    def _restore_redis(self) -> None:
        client = self._redis()
        if client is None:
            limiter.reset()
            return
        # Key by key rather than FLUSHDB: the run's claim on its database number stays.
        pipe = client.pipeline()
        for key in client.scan_iter():
            if key != REDIS_CLAIM_KEY.encode():
                pipe.delete(key)
        for key, (ttl, dumped) in self.redis.items():
            pipe.restore(key, ttl, dumped, replace=True)
        pipe.execute()

