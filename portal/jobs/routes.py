from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.documents.forms import ActionForm
from portal.jobs import progress, services
from portal.jobs.models import Job
from portal.net import safe_next_url
from portal.signing.verification import verification_after
from portal.web import take_step

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _job(job_id) -> Job:
    return policy.visible_or_404(Job, job_id, policy.can_follow_job)


@bp.get("/")
@login_required
@policy.permission_required(policy.can_manage_jobs)
def index():
    """The jobs to look at: waiting too long, running too long, failed; each can be retried."""
    troubles = services.troubles()
    reasons = {job.id: services.reason(job)
               for job in [*troubles.waiting, *troubles.running, *troubles.failed]}
    return render_template("jobs/index.html", troubles=troubles, reasons=reasons,
                           action_form=ActionForm())


@bp.get("/<int:job_id>")
@login_required
def show(job_id):
    """A job's progress bar; htmx polls it until the job is finished."""
    jobs = progress.run_from(_job(job_id))
    return render_template("jobs/_job.html", jobs=jobs, verification=verification_after(jobs),
                           action_form=ActionForm())


@bp.post("/<int:job_id>/retry")
@login_required
def retry(job_id):
    """Try a job again: failed, or waiting or running for too long."""
    job = _job(job_id)

    def fragment(outcome):  # the job's progress bar, with the refusal when there is one
        jobs = progress.run_from(job)
        return render_template("jobs/_job.html", jobs=jobs, verification=verification_after(jobs),
                               action_form=ActionForm(),
                               message=outcome.error or None), 200 if outcome.done else 409

    return take_step(
        ActionForm(), lambda: services.retry(job, actor=current_user),
        _("The job will be tried again in a moment."),
        back=lambda outcome: safe_next_url(request.form.get("next"))
        or url_for("documents.show", document_id=job.document_id),
        invalid=_("The form expired. Reload the page and try again."),
        fragment=fragment if request.htmx else None)
