from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import text

from portal.extensions import db

bp = Blueprint("home", __name__)

@bp.get("/")
@login_required
def index():
    """The landing page for the signed-in person's role."""
    return render_template("home/index.html", user=current_user)


@bp.get("/healthz")
def healthz():
    """Liveness for the VM's monitoring: the database answers."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
