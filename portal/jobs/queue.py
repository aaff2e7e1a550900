"""The RQ side: hand a job to Redis, and the function a worker runs for it."""

import logging
import os

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

log = logging.getLogger(__name__)

# The app a worker process built, and the process that built it: a job run in a forked
# child (plain `rq worker`) must not use the connections it inherited.
_worker_app = None
_worker_pid = None


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
    """The app jobs run in: the worker command's, or a test's."""
    global _worker_app, _worker_pid
    _worker_app, _worker_pid = app, os.getpid()


def execute(job_id: int) -> None:
    """What the RQ worker runs: our run_job inside the portal's app context."""
    from portal import create_app
    from portal.extensions import db
    from portal.jobs.services import queued_follower, relay_pending, run_job

    if _worker_app is None:  # started by plain `rq worker`: build the app from the environment
        bind_worker_app(create_app())
    with _worker_app.app_context():
        if os.getpid() != _worker_pid:
            db.engine.dispose(close=False)  # connections inherited through fork are the parent's
        run_job(job_id)
        # The job this one scheduled (render → sign → verify) runs here at once rather than
        # after a trip through Redis; if a relay hands it over meanwhile, whoever claims it
        # first runs it and the other finds it taken.
        while (job_id := queued_follower(job_id)) is not None:
            run_job(job_id)
        relay_pending()  # anything else waiting
