"""The ministry–department interaction portal (Hệ thống tương tác)."""

from datetime import datetime
from pathlib import Path

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import cli, models, tasks  # noqa: F401  (models: every table registered)
from portal.audit.context import bind_origin
from portal.bounds import IdConverter
from portal.config import ROOT_DIR, load_config
from portal.errors import register_error_handlers
from portal.extensions import babel, cache, csrf, db, htmx, limiter, login_manager, migrate
from portal.headers import add_security_headers
from portal.i18n import LANGUAGES, select_locale, url_with_language
from portal.input import refuse_unstorable_text
from portal.net import client_address


def create_app(config: dict | None = None) -> Flask:
    """Create the portal; config overrides the settings read from the environment."""
    settings = load_config(overrides=config)
    app = Flask(
        __name__,
        instance_path=settings["INSTANCE_DIR"],
        template_folder=str(ROOT_DIR / "templates"),
        static_folder=str(ROOT_DIR / "static"),
    )
    app.config.update(settings)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"],
                                x_proto=app.config["PROXY_COUNT"])
    # Every `<int:…>` in a route is an id: beyond the database's integer range, no such page.
    app.url_map.converters["int"] = IdConverter
    _init_extensions(app)
    _register_blueprints(app)
    register_error_handlers(app)
    cli.register(app)
    tasks.register_all()
    app.before_request(refuse_unstorable_text)
    app.before_request(lambda: bind_origin(client_address()))
    app.after_request(add_security_headers)
    app.jinja_env.globals.update(url_with_language=url_with_language, languages=LANGUAGES,
                                  get_locale=get_locale)
    _register_template_helpers(app)
    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT_DIR / "migrations"), render_as_batch=True,
                    compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(ROOT_DIR / "portal" / "translations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"


def _register_blueprints(app: Flask) -> None:
    from portal.api import bp as api_bp
    from portal.api import exchange, routes  # noqa: F401  (their routes join the API's)
    from portal.audit.routes import bp as audit_bp
    from portal.auth.routes import bp as auth_bp
    from portal.calendar.routes import bp as calendar_bp
    from portal.deliveries.routes import bp as deliveries_bp
    from portal.documents.routes import bp as documents_bp
    from portal.home.routes import bp as home_bp
    from portal.interop import api_routes  # noqa: F401  (POST /api/v1/edxml joins the API)
    from portal.jobs.routes import bp as jobs_bp
    from portal.leaderboard.routes import bp as leaderboard_bp
    from portal.organisations import reorganisation_routes  # noqa: F401  (joins its blueprint)
    from portal.organisations.routes import bp as organisations_bp
    from portal.registers import api_routes as registers_api  # noqa: F401  (the registers as JSON)
    from portal.signing import image_routes  # noqa: F401  (its routes join signing's)
    from portal.signing.routes import bp as signing_bp

    for blueprint in (home_bp, auth_bp, organisations_bp, audit_bp, calendar_bp, documents_bp,
                      deliveries_bp, jobs_bp, signing_bp, leaderboard_bp, api_bp):
        app.register_blueprint(blueprint)


def _register_template_helpers(app: Flask) -> None:
    from portal.clock import as_local, utcnow
    from portal.deliveries.deadlines import DEADLINE_LABELS
    from portal.deliveries.models import STATUS_LABELS
    from portal.documents.models import STATE_LABELS, TYPE_LABELS, URGENCY_LABELS
    from portal.interop.models import MESSAGE_STATE_LABELS
    from portal.jobs.models import JOB_KIND_LABELS, JOB_STATE_LABELS, JOB_STEP_LABELS
    from portal.policy import (
        ROLE_LABELS,
        can_draft_oversight_letter,
        can_manage_calendar,
        can_manage_jobs,
        can_manage_keys,
        can_manage_organisations,
        can_manage_oversight_settings,
        can_oversee,
        can_reset_second_factor,
        can_sign_documents,
        can_view_audit,
    )
    from portal.signing.chain import FIELD_LABELS as CHAIN_FIELD_LABELS
    from portal.signing.services import FINDING_LABELS, VERDICT_LABELS

    @app.template_filter("local_time")
    def local_time(moment):
        local = as_local(moment)
        return local.strftime("%d/%m/%Y %H:%M") if local else ""

    @app.template_filter("iso_local_time")
    def iso_local_time(text):
        return local_time(datetime.fromisoformat(text)) if text else ""

    @app.template_filter("vn_date")
    def vn_date(day):
        return day.strftime("%d/%m/%Y") if day else ""

    app.jinja_env.globals.update(
        role_label=lambda role: ROLE_LABELS.get(role, role),
        can_manage_organisations=can_manage_organisations,
        can_view_audit=can_view_audit,
        can_manage_calendar=can_manage_calendar,
        can_manage_jobs=can_manage_jobs,
        can_manage_keys=can_manage_keys,
        can_reset_second_factor=can_reset_second_factor,
        can_sign_documents=can_sign_documents,
        can_oversee=can_oversee,
        can_draft_oversight_letter=can_draft_oversight_letter,
        can_manage_oversight_settings=can_manage_oversight_settings,
        now_local=lambda: as_local(utcnow()),
        status_labels=STATUS_LABELS,
        type_labels=TYPE_LABELS,
        document_state_labels=STATE_LABELS,
        urgency_labels=URGENCY_LABELS,
        deadline_labels=DEADLINE_LABELS,
        job_kind_labels=JOB_KIND_LABELS,
        job_state_labels=JOB_STATE_LABELS,
        job_step_labels=JOB_STEP_LABELS,
        message_state_labels=MESSAGE_STATE_LABELS,
        verdict_labels=VERDICT_LABELS,
        finding_labels=FINDING_LABELS,
        chain_field_labels=CHAIN_FIELD_LABELS,
    )
