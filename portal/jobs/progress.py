"""What a job's fragment shows: the job and the ones it led to (render → sign → verify), each
once the one before it is done, read in one query (the fragment never queries as it renders)."""

from sqlalchemy import select

from portal.extensions import db
from portal.jobs.models import Job, JobState
from portal.jobs.services import first_job_of


def run_from(job: Job) -> list[Job]:
    """The job, then each job of its document after it (`services.following`) as long as the
    one before is done."""
    run = [job]
    later = db.session.scalars(select(Job).where(Job.document_id == job.document_id,
                                                 Job.id > job.id).order_by(Job.id))
    for follower in later:
        if run[-1].state != JobState.DONE:
            break
        run.append(follower)
    return run


def latest_run(document) -> list[Job]:
    """The document's latest run (from `services.first_job_of`); none before its first job."""
    first = first_job_of(document)
    return run_from(first) if first is not None else []
