"""`flask jobs worker` runs jobs from Redis; `flask jobs relay` hands waiting jobs over."""

import logging
import threading
import time

import click
from flask import current_app
from flask.cli import AppGroup

log = logging.getLogger(__name__)

jobs_cli = AppGroup("jobs", help="Background jobs (render, sign, verify).")

RELAY_INTERVAL_SECONDS = 5


@jobs_cli.command("relay")
def relay_command():
    """Hand queued jobs to Redis (or run them, without REDIS_URL); put back dead ones."""
    from portal.jobs.services import relay_pending, requeue_stale

    requeued = requeue_stale()
    click.echo(f"put back {requeued}, handed over {relay_pending()}")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (tests).")
def worker_command(burst):
    """Run jobs from the queue, and keep relaying jobs that wait (e.g. after Redis was down)."""
    from redis import Redis
    from rq import Worker

    import portal.rendering.pdf  # noqa: F401  WeasyPrint's import (0.5 s) once, before forking
    from portal.jobs import queue

    app = current_app._get_current_object()
    if not app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set: jobs run inside the portal itself")
    queue.bind_worker_app(app)
    if not burst:
        threading.Thread(target=_relay_forever, args=(app,), daemon=True).start()
    else:
        with app.app_context():
            _relay_once()
    connection = Redis.from_url(app.config["REDIS_URL"])
    Worker([queue.queue(connection)], connection=connection).work(burst=burst,
                                                                  with_scheduler=False)


def _relay_once():
    from portal.jobs.services import relay_pending, requeue_stale

    requeue_stale()
    relay_pending()


def _relay_forever(app):
    while True:
        try:
            with app.app_context():
                _relay_once()
        except Exception:  # Redis or the database away for a moment: try again later
            log.exception("relay failed; trying again in %s s", RELAY_INTERVAL_SECONDS)
        time.sleep(RELAY_INTERVAL_SECONDS)
