"""Fixtures in the flaskr style: app, client, runner, auth, plus the real services.

Without DATABASE_URL the suite runs on a temporary SQLite file; with it, on a PostgreSQL
database this run creates and drops. With REDIS_URL, rate limits live in a Redis database
number this run claims and empties afterwards.
"""

import os
import re
import secrets
from contextlib import contextmanager

import pyotp
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import cache, db, limiter
from tests.factories import Factory, remember_second_factor, second_factor_code
from tests.worlds import REDIS_CLAIM_KEY, delete_all_rows, empty_postgresql_tables

CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
HIDDEN_PATTERN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
NAME_VALUE_PATTERN = re.compile(r'(name|value)="([^"]*)"')


def _sqlalchemy_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith("postgres") else url


@contextmanager
def database_of_its_own(sqlite_path, suffix: str = ""):
    """A database for one portal under test: the SQLite file given, or, with DATABASE_URL, a
    PostgreSQL database made next to the one named and dropped at the end."""
    base = os.environ.get("DATABASE_URL")
    if not base:
        yield f"sqlite:///{sqlite_path}"
        return
    base = _sqlalchemy_url(base)
    name = f"portal_test_{secrets.token_hex(4)}{suffix}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with database_of_its_own(tmp_path_factory.mktemp("db") / "portal.db") as url:
        yield url


@pytest.fixture(scope="session")
def redis_url():
    """A Redis database number nobody uses, claimed for this run, or None without REDIS_URL."""
    base = os.environ.get("REDIS_URL")
    if not base:
        yield None
        return
    import redis

    root = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
    for number in range(1, 16):
        url = f"{root}/{number}"
        client = redis.Redis.from_url(url)
        if client.dbsize() == 0 and client.set(REDIS_CLAIM_KEY, "1", nx=True):
            yield url
            client.flushdb()
            return
    pytest.fail("no free Redis database number to run the tests in")


@pytest.fixture(scope="session")
def app_config(database_url, redis_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    return {
        "TESTING": True,
        "SECRET_KEY": secrets.token_hex(16),
        "INSTANCE_DIR": str(instance),
        "STORAGE_DIR": str(instance / "storage"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RQ_QUEUE": f"portal-test-{secrets.token_hex(4)}",
        # Argon2id still, at a cost that keeps the suite quick.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
    }


@pytest.fixture(scope="session")
def migrated_schema(app_config):
    """Build the schema once per run through the migrations, as production does."""
    from flask_migrate import upgrade

    app = create_app(app_config)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return True


def _empty_tables():
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        empty_postgresql_tables(tables)
    else:
        delete_all_rows()
    db.session.commit()


_TWINS: dict[tuple, tuple] = {}


def _twin_of(config):
    """The twin app for these settings, made once per run, with its settings put back as they
    were made (a test may change `current_app.config`). Making an app costs 60 ms and more
    (werkzeug compiles every route); the app that serves the test's requests is still new."""
    key = tuple(sorted(config.items()))
    if key not in _TWINS:
        twin = create_app(config)
        _TWINS[key] = (twin, dict(twin.config))
    twin, settings = _TWINS[key]
    twin.config.clear()
    twin.config.update(settings)
    return twin


@contextmanager
def app_in_context(config):
    """The app for the test's requests, with the context of its twin pushed, and every table
    emptied afterwards (for `app`, and for a world a module builds once)."""
    app = create_app(config)
    # The test's own database work runs in the context of a twin app. Requests through the
    # test client then push a context of their own, with a fresh `g`, as in production;
    # sharing one context would carry Flask-Login's and Flask-WTF's per-request state along.
    twin = _twin_of(config)
    with twin.app_context():
        cache.clear()  # the twin's cache, made in an earlier test
        yield app
        db.session.remove()
        if config["REDIS_URL"]:
            from portal.jobs.queue import queue

            queue().empty()  # job ids start again at 1 in the next test
        _empty_tables()
        db.engine.dispose()
        limiter.reset()  # rate-limit counters must not leak into the next test
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(app_config, migrated_schema):
    with app_in_context(app_config) as app:
        yield app


@pytest.fixture(scope="module")
def module_app(app_config, migrated_schema, tmp_path_factory):
    """One app for a whole module, whose world is built once (tests/worlds.Snapshot puts it
    back before each test); a module overrides `app` with it. Its stored files are kept
    apart, as the snapshot holds them all."""
    storage = tmp_path_factory.mktemp("module-storage")
    with app_in_context({**app_config, "STORAGE_DIR": str(storage)}) as app:
        yield app


def jobs_runner(app):
    """Run what is queued as production would: with Redis, a real RQ worker (burst mode).

    Without Redis the jobs already ran in-process when they were relayed; this hands over
    anything still waiting and returns.
    """
    from redis import Redis
    from rq import SimpleWorker

    from portal.jobs import queue, worker
    from portal.jobs.runner import relay_pending

    def run():
        relay_pending()
        if app.config["REDIS_URL"]:
            worker.bind_worker_app(app)
            connection = Redis.from_url(app.config["REDIS_URL"])
            SimpleWorker([queue.queue(connection)], connection=connection).work(burst=True)
        db.session.expire_all()
    return run


@pytest.fixture
def run_jobs(app):
    return jobs_runner(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app):
    return Factory()


def csrf_token_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def hidden_fields_from(html: str) -> dict[str, str]:
    """The hidden inputs of a page's forms (CSRF token, one-time key), as a browser sends."""
    fields = {}
    for tag in HIDDEN_PATTERN.findall(html):
        attributes = dict(NAME_VALUE_PATTERN.findall(tag))
        if "name" in attributes:
            fields.setdefault(attributes["name"], attributes.get("value", ""))
    return fields


TOTP_SECRET_PATTERN = re.compile(r'id="totp-secret">([^<]+)<')
RECOVERY_CODE_PATTERN = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")


class AuthActions:
    """Sign in and out as a person does, second factor included: the code their app shows
    (tests.factories knows the secret), or setting the app up when the portal asks for it."""

    def __init__(self, client):
        self._client = client

    def csrf_token(self, path="/login") -> str:
        return csrf_token_from(self._client.get(path).get_data(as_text=True))

    def hidden_fields(self, path) -> dict[str, str]:
        return hidden_fields_from(self._client.get(path).get_data(as_text=True))

    def login(self, email, password=Factory.PASSWORD):
        """Sign in; the answer is the last step's (a redirect once signed in)."""
        response = self._client.post(
            "/login", data={"email": email, "password": password,
                            "csrf_token": self.csrf_token()}
        )
        if response.status_code == 302 and response.location == "/login/code":
            return self.enter_code(email)
        if response.status_code == 302 and response.location == "/login/enrol":
            return self.set_up_second_factor(email)
        return response

    def enter_code(self, email, code=None):
        code = code or second_factor_code(email)
        return self._client.post("/login/code", data={"one_time_code": code,
                                                      "csrf_token": self.csrf_token("/login/code")})

    def set_up_second_factor(self, email, path="/login/enrol", **fields):
        """Scan the code the portal shows (its key, in the tests), confirm it with the app's
        code, and keep the recovery codes shown next."""
        page = self._client.get(path).get_data(as_text=True)
        secret = TOTP_SECRET_PATTERN.search(page).group(1).replace(" ", "")
        response = self._client.post(path, data={"one_time_code": pyotp.TOTP(secret).now(),
                                                 "csrf_token": csrf_token_from(page), **fields})
        if response.status_code == 302:
            codes_page = self._client.get(response.location).get_data(as_text=True)
            remember_second_factor(email, secret, RECOVERY_CODE_PATTERN.findall(codes_page))
        return response

    def logout(self):
        return self._client.post("/logout", data={"csrf_token": self.csrf_token("/account")})


@pytest.fixture
def auth(client):
    return AuthActions(client)
