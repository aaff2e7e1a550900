"""Error pages: HTML for people, JSON for the API, and a kind answer to an expired form.

Every handler first rolls the session back: after a database error the transaction is
broken, and the page around the message (who is signed in) could not be read otherwise.
"""

import math

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.api.auth import api_error
from portal.auth.throttle import retry_after
from portal.transaction import database_unavailable, roll_back_quietly

# Fields never echoed back into a page after an expired form.
SECRET_FIELDS = {"csrf_token", "password", "current_password", "new_password",
                 "new_password_again", "one_time_code"}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def refusal(status: int, message: str):
    """A refused request, said the way the caller reads it: JSON for the API, the message
    alone for htmx (the page shows it, replacing nothing), else the error page."""
    if _wants_json():
        return api_error(status, message)
    if request.htmx:
        return message, status, {"HX-Reswap": "none"}
    return _error_page("errors/error.html", status, status=status, message=message)


def _error_page(template: str, code: int, **context):
    """An error page in the usual layout; while the database is away (the layout reads who
    is signed in), the page that needs none."""
    try:
        return render_template(template, **context), code
    except SQLAlchemyError as error:
        return handle_database_error(error)


def handle_csrf_error(error: CSRFError):
    """An expired or missing CSRF token: explain, and keep what the person typed.

    A normal form gets a page holding the typed values and a fresh token, to send again.
    An htmx request gets a message the page shows without replacing anything.
    """
    roll_back_quietly()
    message = _("Your form has expired (or the page was open too long). Nothing was saved. "
                "Please send it again.")
    if request.htmx:
        return message, 400, {"HX-Reswap": "none"}
    kept = [(name, value) for name, value in request.form.items(multi=True)
            if name not in SECRET_FIELDS]
    return _error_page("errors/csrf.html", 400, message=message, kept=kept,
                       action=request.full_path.rstrip("?"))


def handle_rate_limit(error: HTTPException):
    """Too many wrong attempts: say how long to wait, and say it in Retry-After too."""
    roll_back_quietly()
    seconds = retry_after()
    minutes = math.ceil(seconds / 60)
    message = ngettext("Too many attempts. Please wait %(num)s minute before trying again.",
                       "Too many attempts. Please wait %(num)s minutes before trying again.",
                       minutes)
    if _wants_json():
        response = api_error(429, message)
    else:
        response = current_app.make_response(
            _error_page("errors/error.html", 429, status=429, message=message))
    response.headers["Retry-After"] = str(seconds)
    return response


def handle_too_large(error: HTTPException):
    roll_back_quietly()
    message = _("The upload is too large: a file may be at most %(mb)s MB. Nothing was saved.",
                mb=current_app.config["MAX_ATTACHMENT_BYTES"] // (1024 * 1024))
    if _wants_json():
        return api_error(413, message)
    return _error_page("errors/error.html", 413, status=413, message=message)


def handle_http_error(error: HTTPException):
    roll_back_quietly()
    # A 405 says which methods the address takes (RFC 9110), as Werkzeug's own page does.
    headers = {"Allow": ", ".join(error.valid_methods)} \
        if getattr(error, "valid_methods", None) else {}
    if _wants_json():
        response = api_error(error.code or 500, error.description or error.name)
        response.headers.update(headers)
        return response
    response = current_app.make_response(
        _error_page("errors/error.html", error.code, status=error.code, message=None))
    if response.status_code == error.code:
        response.headers.update(headers)
    return response


UNAVAILABLE_RETRY_SECONDS = 30


def handle_database_error(error: Exception):
    """The database does not answer: 503 with Retry-After, and a page that needs no database
    (the usual layout reads who is signed in). A passing error (a lock timeout) answers the
    same; any other database error is unexpected."""
    if not database_unavailable(error):
        if current_app.debug or current_app.testing:
            raise error  # a test or the debugger sees it whole
        return handle_unexpected(error)
    roll_back_quietly()
    current_app.logger.warning("database unavailable on %s %s: %s", request.method,
                               request.path, error)
    message = _("The portal cannot reach its database for a moment. Nothing you sent has been "
                "lost or half-done: what you were doing was either saved whole or not at all. "
                "Please try again in a minute.")
    headers = {"Retry-After": str(UNAVAILABLE_RETRY_SECONDS)}
    if _wants_json():
        response = api_error(503, message)
        response.headers.update(headers)
        return response
    # Rendered without the request's context processors: Flask-Login's would ask the database
    # who is signed in.
    page = current_app.jinja_env.get_template("errors/unavailable.html").render(
        message=message, again=request.full_path.rstrip("?") if request.method == "GET"
        else url_for("home.index"))
    return page, 503, headers


def handle_unexpected(error: Exception):
    roll_back_quietly()
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    # Handling the exception here stops Flask from logging it: log it, or it is lost.
    current_app.logger.error("Unhandled exception on %s %s", request.method, request.path,
                             exc_info=error)
    return handle_http_error(InternalServerError())


def register_error_handlers(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(429, handle_rate_limit)
    app.register_error_handler(413, handle_too_large)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(SQLAlchemyError, handle_database_error)
    if not app.debug and not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
