"""`flask jobs worker`: run jobs from Redis, and keep every waiting job moving.

One process does both: RQ's SimpleWorker runs jobs in this process (fonts, keys' libraries
and connections stay warm from one job to the next; a fork per job made the render and seal
about 2.5 times slower), and a thread relays every RELAY_INTERVAL_SECONDS: it puts back the
jobs of dead runs, hands over again the jobs Redis lost, and hands over the jobs that waited
(Redis down, a wait after a database error). When Redis goes away the worker waits for it
and starts again; when the database goes away each run puts its job back.
"""

import logging
import os
import threading
import time

from redis import Redis
from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.exceptions import StopRequested
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.jobs import queue, runner
from portal.jobs.services import queued_follower

log = logging.getLogger(__name__)

RELAY_INTERVAL_SECONDS = 5
RESTART_WAIT_SECONDS = 2
MAX_REDIS_WAIT_SECONDS = 10  # RQ waits longer and longer for Redis; not longer than this

# The app a worker process built, and the process that built it: a job run in a forked
# child (plain `rq worker`) must not use the connections it inherited.
_worker_app = None
_worker_pid = None


def bind_worker_app(app) -> None:
    """The app jobs run in: the worker command's, a test's, or one built by portal.jobs.entry."""
    global _worker_app, _worker_pid
    _worker_app, _worker_pid = app, os.getpid()


def app_bound() -> bool:
    return _worker_app is not None


def execute(job_id: int) -> None:
    """Run our job (and the ones it leads to) inside the bound app's context."""
    with _worker_app.app_context():
        if os.getpid() != _worker_pid:
            db.engine.dispose(close=False)  # connections inherited through fork are the parent's
        try:
            _run_with_followers(job_id)
        except SQLAlchemyError as error:  # the row still says what is left: it is handed
            log.warning("job %s: database unavailable (%s); handed over again later",
                        job_id, error)


def _run_with_followers(job_id: int) -> None:
    runner.run_job(job_id)
    # The job this one scheduled (render → sign → verify) runs here at once rather than
    # after a trip through Redis; if a relay hands it over meanwhile, whoever claims it
    # first runs it and the other finds it taken.
    while (job_id := queued_follower(job_id)) is not None:
        runner.run_job(job_id)
    runner.relay_pending()  # anything else waiting


def relay_once() -> None:
    """Put back dead runs' jobs, hand over again what Redis lost, hand over what waits."""
    runner.requeue_stale()
    try:
        runner.rehand_lost()
    except RedisError as error:
        log.warning("Redis unreachable (%s): nothing handed over this time", error)
        return
    runner.relay_pending()


def _relay_forever(app) -> None:
    while True:
        try:
            with app.app_context():
                relay_once()
        except Exception:  # the database away for a moment: try again later
            log.exception("relay failed; trying again in %s s", RELAY_INTERVAL_SECONDS)
        time.sleep(RELAY_INTERVAL_SECONDS)


class _Worker(SimpleWorker):
    """RQ's worker, remembering that it was asked to stop (SIGTERM, SIGINT), busy or idle."""

    stop_asked = False

    def request_stop(self, signum, frame):
        self.stop_asked = True
        super().request_stop(signum, frame)


def run_worker(app, *, burst: bool) -> None:
    """Run jobs until stopped (SIGTERM: the job in hand is finished first); with burst, until
    the queue is empty."""
    bind_worker_app(app)
    _preload()
    if burst:
        with app.app_context():
            relay_once()
        _work(app, burst=True)
        return
    threading.Thread(target=_relay_forever, args=(app,), name="relay", daemon=True).start()
    try:
        while not _work(app, burst=False):
            time.sleep(RESTART_WAIT_SECONDS)  # Redis went away: start again when it is back
    except StopRequested:  # asked to stop between two of RQ's loops
        log.info("worker stopped on request")


def _work(app, *, burst: bool) -> bool:
    """One RQ work loop; True when it ended as asked (a stop, or an empty queue in burst)."""
    connection = Redis.from_url(app.config["REDIS_URL"], health_check_interval=10)
    with app.app_context():
        rq_queue = queue.queue(connection)
    worker = None
    try:
        worker = _Worker([rq_queue], connection=connection)
        worker.max_connection_wait_time = MAX_REDIS_WAIT_SECONDS
        worker.work(burst=burst, with_scheduler=False)
    except RedisError as error:  # Redis unreachable before RQ's own loop began
        log.warning("Redis unreachable (%s); waiting for it", error)
    return burst or (worker is not None and worker.stop_asked)


def _preload():
    """Import WeasyPrint and pyHanko (about 0.5 s and 1.2 s) and prepare the stamp font before
    the first job, not during it."""
    import portal.rendering.pdf  # noqa: F401
    from portal.signing.pdf import _stamp_font

    _stamp_font()
