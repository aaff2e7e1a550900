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
files. Putting back some thirty small tables takes milliseconds.
"""

from pathlib import Path

from sqlalchemy import select, text, update
from sqlalchemy.schema import sort_tables_and_constraints

from portal.extensions import db, limiter
from tests import factories

# The key by which a run claims its Redis database number (tests/conftest.py's redis_url).
REDIS_CLAIM_KEY = "portal-test-claim"


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

    Deleting deliveries marks their days stale for the leaderboard (a trigger): the marks are
    deleted last."""
    from portal.leaderboard.models import StaleDay

    tables, deferred = _tables_and_deferred_keys()
    for key in deferred:
        if key.referred_table is not key.table:  # a table's rows referring to each other go
            db.session.execute(update(key.table).values(dict.fromkeys(  # in one statement
                (c.name for c in key.columns), None)))
    for table in reversed(tables):
        db.session.execute(table.delete())
    db.session.execute(StaleDay.__table__.delete())


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

    def restore(self) -> None:
        db.session.remove()
        self._restore_rows()
        self._restore_files()
        self._restore_redis()
        secrets, codes = self.second_factors
        factories.TOTP_SECRETS.clear()
        factories.TOTP_SECRETS.update(secrets)
        factories.RECOVERY_CODES.clear()
        factories.RECOVERY_CODES.update({email: list(c) for email, c in codes.items()})

    def _restore_rows(self) -> None:
        from portal.leaderboard.models import StaleDay

        delete_all_rows()
        later = self.later
        stale_days = StaleDay.__table__
        for table, rows in self.rows.items():
            if rows and table is not stale_days:
                db.session.execute(table.insert(), [
                    {**row, **dict.fromkeys(later[table], None)} for row in rows])
        for table, columns in later.items():
            key = list(table.primary_key.columns)
            for row in self.rows[table]:
                values = {c: row[c] for c in columns if row[c] is not None}
                if values:
                    db.session.execute(update(table).where(
                        *(c == row[c.name] for c in key)).values(values))
        # Inserting the deliveries marked their days stale (a trigger): the world's marks only.
        db.session.execute(stale_days.delete())
        if self.rows[stale_days]:
            db.session.execute(stale_days.insert(), self.rows[stale_days])
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

