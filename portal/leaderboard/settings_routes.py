"""What the oversight office sets and drafts: the thresholds above which a department is
flagged, and the oversight letter with the period's table as its appendix."""

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.leaderboard.blueprint import PeriodError, bp
from portal.leaderboard.forms import PeriodFields, ThresholdsForm
from portal.leaderboard.letter import draft_oversight_letter
from portal.leaderboard.services import Period, change_thresholds, settings
from portal.web import step_on_page, take_step


@bp.post("/oversight/letter")
@login_required
@policy.permission_required(policy.can_draft_oversight_letter)
def draft_letter():
    """Draft the oversight letter for the period; the drafter then edits it as any draft."""
    form = PeriodFields()
    expired = _("The form expired. Reload the page and try again.")

    def draft():
        if form.first.data > form.last.data:
            raise PeriodError(expired)
        return draft_oversight_letter(Period(form.first.data, form.last.data),
                                      actor=current_user)
    return take_step(
        form, draft, _("The oversight letter is drafted with the period's table as its "
                       "appendix. Read it, change what you need, then send it for signing."),
        back=lambda outcome: url_for("documents.edit", document_id=outcome.result.id)
        if outcome.done else url_for(".index"),
        invalid=expired)


@bp.route("/oversight/settings", methods=["GET", "POST"])
@login_required
@policy.permission_required(policy.can_manage_oversight_settings)
def thresholds():
    """The rates above which a department is flagged."""
    form = ThresholdsForm(obj=settings())
    return step_on_page(
        form, lambda: change_thresholds(overdue=form.overdue_threshold_percent.data,
                                        unsigned=form.unsigned_threshold_percent.data,
                                        actor=current_user),
        _("Thresholds saved."), back=url_for(".thresholds"),
        page=lambda: render_template("leaderboard/settings.html", form=form))
