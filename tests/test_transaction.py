"""action(): one commit or one rollback; what follows the commit cannot undo it."""

from datetime import date

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError

from portal.calendar.models import CalendarOverride
from portal.extensions import db
from portal.transaction import action, after_commit, database_unavailable


def _override(make, reason):
    admin = make.user(make.ministry(), "admin")
    return CalendarOverride(day=date(2030, 1, 7), kind="day_off", reason=reason,
                            created_by=admin)


def _reasons():
    db.session.expire_all()
    return db.session.scalars(select(CalendarOverride.reason)).all()


def test_an_action_that_raises_keeps_nothing_and_runs_nothing_after(make):
    ran = []
    override = _override(make, "rolled back")
    with pytest.raises(RuntimeError), action():
        db.session.add(override)
        after_commit(lambda: ran.append("after"))
        db.session.flush()
        raise RuntimeError("refused halfway")
    assert _reasons() == [] and ran == []


def test_a_follow_up_that_fails_neither_undoes_the_action_nor_stops_the_next(make, caplog):
    ran = []
    override = _override(make, "kept")

    def broken():
        raise RuntimeError("Redis away")

    with action():
        db.session.add(override)
        after_commit(broken)
        after_commit(lambda: ran.append("cache cleared"))
    assert _reasons() == ["kept"] and ran == ["cache cleared"]
    assert "broken failed" in caplog.text


def test_one_action_at_a_time(app):
    with pytest.raises(RuntimeError, match="one action"), action(), action():
        pass


def _sqlite_error(statement, database=":memory:"):
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    except OperationalError as error:
        return error
    raise AssertionError("no error")


def test_only_passing_database_errors_count_as_unavailable(tmp_path):
    assert not database_unavailable(_sqlite_error("SELECT * FROM no_such_table"))
    assert not database_unavailable(_sqlite_error("SELEC 1"))
    locked = tmp_path / "locked.db"
    holder = create_engine(f"sqlite:///{locked}").connect()
    holder.execute(text("CREATE TABLE t (x)"))
    holder.commit()
    holder.exec_driver_sql("BEGIN EXCLUSIVE")  # another writer holds the database
    try:
        with pytest.raises(OperationalError) as busy, \
                create_engine(f"sqlite:///{locked}").connect() as connection:
            connection.exec_driver_sql("PRAGMA busy_timeout = 0")
            connection.execute(text("INSERT INTO t VALUES (1)"))
        assert database_unavailable(busy.value)  # locked: it will pass
    finally:
        holder.rollback()
        holder.close()
