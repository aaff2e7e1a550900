"""How many SQL statements a page takes: a page that reads in bulk takes as many however many
rows it shows."""

from sqlalchemy import event

from portal.extensions import db


def queries_of(client, path) -> int:
    """The statements GET `path` runs (it must answer 200), on the engine of the app that
    serves the request (the test's own work runs in the context of a twin app)."""
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    with client.application.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return len(statements)
