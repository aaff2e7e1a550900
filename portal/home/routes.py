from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db

bp = Blueprint("home", __name__)

@bp.get("/")
@login_required
def index():
    """The landing page for the signed-in person's role."""
    return render_template("home/index.html", user=current_user)


@bp.get("/healthz")
def healthz():
    """Liveness for the VM's monitoring: the database answers (503 with the reason if not)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.close()
        reason = f"database unreachable ({type(getattr(error, 'orig', None) or error).__name__})"
        return {"status": "unavailable", "reason": reason}, 503, {"Retry-After": "30"}
    return {"status": "ok"}
