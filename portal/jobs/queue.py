"""The Redis side: hand a job to the RQ queue, and say which of our jobs Redis still holds.

An RQ job carries only our job's id (`portal-job-<id>-<random>`: each hand-over is a job of
its own in Redis, so a job handed over again never shares an entry with a dead run's). The
function it runs is `portal.jobs.entry.execute`, named rather than imported.
"""

import logging
import secrets

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

log = logging.getLogger(__name__)

PREFIX = "portal-job-"
EXECUTE = "portal.jobs.entry.execute"
RESULT_TTL = 600  # seconds Redis keeps a finished RQ job (ours is the row, kept for good)
FAILURE_TTL = 86400


def queue(connection: Redis | None = None) -> Queue:
    return Queue(current_app.config["RQ_QUEUE"], connection=connection or _redis())


def _redis() -> Redis:
    """The app's one Redis client (its pool reused), timeouts short: a page that hands a job
    over must not hang on a Redis that does not answer."""
    url = current_app.config["REDIS_URL"]
    clients = current_app.extensions.setdefault("portal.redis", {})
    if url not in clients:
        clients[url] = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    return clients[url]


def enqueue(job_id: int) -> bool:
    """Put the job on the queue; False (and a log line) when Redis cannot be reached."""
    try:
        queue().enqueue(EXECUTE, job_id, job_id=f"{PREFIX}{job_id}-{secrets.token_hex(4)}",
                        job_timeout=current_app.config["JOB_TIMEOUT_SECONDS"],
                        result_ttl=RESULT_TTL, failure_ttl=FAILURE_TTL)
    except RedisError as error:
        log.warning("job %s stays queued: Redis unreachable (%s)", job_id, error)
        return False
    return True


def held_by_redis() -> set[int]:
    """Our jobs Redis holds: waiting in the queue, on their way to a worker, or running.

    Raises RedisError when Redis cannot be reached (then nothing can be said to be lost).
    """
    rq_queue = queue()
    connection = rq_queue.connection
    ids = [*rq_queue.get_job_ids(),
           *(i.decode() for i in connection.lrange(rq_queue.intermediate_queue_key, 0, -1)),
           *rq_queue.started_job_registry.get_job_ids(cleanup=False)]
    return {int(rq_id[len(PREFIX):].split("-", 1)[0]) for rq_id in ids
            if rq_id.startswith(PREFIX)}
