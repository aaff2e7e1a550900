"""Settings from the environment, in one place.

Every setting the portal reads from the environment is named here; nothing else in the code
reads ``os.environ``.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(env: str, instance_dir: Path, given: str | None) -> str:
    """Return SECRET_KEY: given, or in development one generated once into instance/."""
    if given:
        return given
    if env != "development":
        raise RuntimeError(f"SECRET_KEY must be set outside development (PORTAL_ENV={env})")
    key_file = instance_dir / "secret_key"
    if not key_file.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def _limit(environ, name: str, default: str) -> str:
    """A rate limit such as "5 per minute" (several joined by ";"), checked at start-up."""
    from limits import parse_many

    value = environ.get(name) or default
    try:
        parse_many(value)
    except ValueError as error:
        raise RuntimeError(f"{name}={value!r} is not a rate limit (e.g. '5 per minute')") from error
    return value


def _roles(value: str) -> frozenset[str]:
    """A comma-separated list of roles, checked at start-up: a misspelt role would otherwise
    silently leave that role without its second factor."""
    from portal.policy import Role

    roles = frozenset(role.strip() for role in value.split(",") if role.strip())
    if unknown := roles - set(Role):
        raise RuntimeError(f"unknown roles in MFA_REQUIRED_ROLES: {', '.join(sorted(unknown))}")
    return roles


def load_config(environ=None, overrides: dict | None = None) -> dict:
    """Build the Flask config from environment variables; overrides win (tests use them)."""
    environ = os.environ if environ is None else environ
    overrides = overrides or {}
    env = overrides.get("PORTAL_ENV") or environ.get("PORTAL_ENV", "development")
    instance_dir = Path(overrides.get("INSTANCE_DIR") or environ.get("INSTANCE_DIR")
                        or ROOT_DIR / "instance")
    database_url = environ.get("DATABASE_URL") or f"sqlite:///{instance_dir / 'portal.db'}"
    # SQLAlchemy needs the psycopg 3 driver named explicitly.
    if database_url.startswith(("postgres://", "postgresql://")):
        database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
    redis_url = environ.get("REDIS_URL") or None
    development = env == "development"
    settings = {
        "PORTAL_ENV": env,
        "INSTANCE_DIR": str(instance_dir),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "STORAGE_DIR": environ.get("STORAGE_DIR", str(instance_dir / "storage")),
        # Background jobs (portal/jobs/runner.py): the RQ queue's name; how long a job may run
        # (RQ stops it after that); how often a running job says it is alive, and how long it
        # may stay silent before it counts as abandoned (its worker died) and is queued again;
        # how long a job handed to Redis may be missing from it (Redis emptied or restarted)
        # before it is handed over again; how many runs a job gets (dead, or failed by the
        # database) before it fails for good and waits for a person; the first wait after a
        # database error (doubled at each attempt, at most 5 min); how long a job may wait
        # before the administrators' page lists it.
        "RQ_QUEUE": environ.get("RQ_QUEUE", "portal"),
        "JOB_TIMEOUT_SECONDS": int(environ.get("JOB_TIMEOUT_SECONDS", 300)),
        "JOB_HEARTBEAT_SECONDS": float(environ.get("JOB_HEARTBEAT_SECONDS", 5)),
        "JOB_STALE_SECONDS": int(environ.get("JOB_STALE_SECONDS", 30)),
        "JOB_REHAND_SECONDS": int(environ.get("JOB_REHAND_SECONDS", 15)),
        "JOB_MAX_ATTEMPTS": int(environ.get("JOB_MAX_ATTEMPTS", 10)),
        "JOB_RETRY_SECONDS": int(environ.get("JOB_RETRY_SECONDS", 5)),
        "JOB_WAITING_ALERT_SECONDS": int(environ.get("JOB_WAITING_ALERT_SECONDS", 120)),
        # Signing with keys on a PKCS#11 token (USB token, HSM): the vendor's module and PIN.
        "PKCS11_MODULE": environ.get("PKCS11_MODULE") or None,
        "PKCS11_PIN": environ.get("PKCS11_PIN") or None,
        # An RFC 3161 time-stamping authority: when set, every signature carries its timestamp.
        "TSA_URL": environ.get("TSA_URL") or None,
        # Sessions: idle and absolute limits, enforced server-side (auth.sessions).
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=int(environ.get("SESSION_IDLE_MINUTES", 30))),
        "PERMANENT_SESSION_LIFETIME": timedelta(
            hours=int(environ.get("SESSION_ABSOLUTE_HOURS", 10))
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(environ.get("SESSION_COOKIE_SECURE"), not development),
        "SESSION_COOKIE_NAME": "portal_session",
        # The CSRF token lives as long as the session; the session's own limits apply.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        # Sign-in throttling (Flask-Limiter; auth.throttle says why these four): Redis when
        # configured, else in-process memory. Only wrong passwords and codes count.
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": environ.get("RATELIMIT_KEY_PREFIX", "portal"),
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STRATEGY": "moving-window",
        # Every limit is checked, so Retry-After can name the moment all of them allow a try.
        "RATELIMIT_FAIL_ON_FIRST_BREACH": False,
        "LOGIN_PAIR_LIMIT": _limit(environ, "LOGIN_PAIR_LIMIT", "5 per minute"),
        "LOGIN_ACCOUNT_LIMIT": _limit(environ, "LOGIN_ACCOUNT_LIMIT", "20 per hour"),
        "LOGIN_ADDRESS_LIMIT": _limit(environ, "LOGIN_ADDRESS_LIMIT", "50 per 10 minutes"),
        "LOGIN_DEVICE_LIMIT": _limit(environ, "LOGIN_DEVICE_LIMIT",
                                     "5 per minute; 20 per hour"),
        "KNOWN_DEVICE_DAYS": int(environ.get("KNOWN_DEVICE_DAYS", 90)),
        # Two-step sign-in (TOTP): the roles that must use it; the time allowed between the
        # password and the code.
        "MFA_REQUIRED_ROLES": _roles(environ.get("MFA_REQUIRED_ROLES", "admin,leader,reviewer")),
        "SIGN_IN_STEP_MINUTES": int(environ.get("SIGN_IN_STEP_MINUTES", 10)),
        # Argon2id cost; tests lower it, production keeps the library's defaults.
        "ARGON2_TIME_COST": int(environ.get("ARGON2_TIME_COST", 3)),
        "ARGON2_MEMORY_COST": int(environ.get("ARGON2_MEMORY_COST", 65536)),
        # Number of reverse proxies (nginx) in front of the portal, for the client address.
        "PROXY_COUNT": int(environ.get("PROXY_COUNT", 0)),
        # Public pages and exports: an in-process cache in each worker (no Redis needed, so the
        # public page stays up when Redis is down), bounded to CACHE_THRESHOLD entries.
        "CACHE_TYPE": "SimpleCache",
        "CACHE_DEFAULT_TIMEOUT": 60,
        "CACHE_THRESHOLD": 200,
        "BABEL_DEFAULT_LOCALE": "vi",
        "LANGUAGES": ["vi", "en"],
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Uploads: one PDF attachment at most this size; a request a little more.
        "MAX_ATTACHMENT_BYTES": int(environ.get("MAX_ATTACHMENT_MB", 20)) * 1024 * 1024,
        "MAX_CONTENT_LENGTH": (int(environ.get("MAX_ATTACHMENT_MB", 20)) + 1) * 1024 * 1024,
        "DEMO_PASSWORD": environ.get("DEMO_PASSWORD", "demo-portal-2026"),
        # The national axis: where outbound edXML messages are POSTed, with this bearer token
        # (no AXIS_URL: messages wait as rows until one is set); the largest message taken
        # in at POST /api/v1/edxml.
        "AXIS_URL": environ.get("AXIS_URL") or None,
        "AXIS_TOKEN": environ.get("AXIS_TOKEN") or None,
        "AXIS_TIMEOUT_SECONDS": float(environ.get("AXIS_TIMEOUT_SECONDS", 30)),
        "EDXML_MAX_BYTES": int(environ.get("EDXML_MAX_MB", 80)) * 1024 * 1024,
    }
    settings.update(overrides)
    settings["SECRET_KEY"] = overrides.get("SECRET_KEY") or _secret_key(
        env, instance_dir, environ.get("SECRET_KEY"))
    return settings
