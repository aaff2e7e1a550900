"""The RQ side: hand a job to Redis, and the function a worker runs for it."""

import logging

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

log = logging.getLogger(__name__)

# The app a worker process built before forking; each job's work-horse inherits it.
_worker_app = None


def queue(connection: Redis | None = None) -> Queue:
    connection = connection or Redis.from_url(current_app.config["REDIS_URL"],
                                              socket_connect_timeout=1, socket_timeout=2)
    return Queue(current_app.config["RQ_QUEUE"], connection=connection)


def enqueue(job_id: int) -> bool:
    """Put the job on the queue; False (and a log line) when Redis cannot be reached."""
    try:
        queue().enqueue(execute, job_id, job_id=f"portal-job-{job_id}",
                        job_timeout=current_app.config["JOB_TIMEOUT_SECONDS"])
    except RedisError as error:
        log.warning("job %s stays queued: Redis unreachable (%s)", job_id, error)
        return False
    return True


def bind_worker_app(app) -> None:
    """The app jobs run in: the worker command's (before it forks), or a test's."""
    global _worker_app
    _worker_app = app


def execute(job_id: int) -> None:
    """What the RQ worker runs: our run_job inside the portal's app context."""
    from portal import create_app
    from portal.extensions import db
    from portal.jobs.services import relay_pending, run_job

    if _worker_app is None:  # started by plain `rq worker`: build the app from the environment
        bind_worker_app(create_app())
    with _worker_app.app_context():
        db.engine.dispose(close=False)  # connections inherited through fork are the parent's
        run_job(job_id)
        relay_pending()  # the jobs this one scheduled (render → sign → verify)
