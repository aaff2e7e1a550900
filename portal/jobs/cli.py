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
    from rq import SimpleWorker

    from portal.jobs import queue

    app = current_app._get_current_object()
    if not app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set: jobs run inside the portal itself")
    queue.bind_worker_app(app)
    _preload()
    if not burst:
        threading.Thread(target=_relay_forever, args=(app,), daemon=True).start()
    else:
        with app.app_context():
            _relay_once()
    connection = Redis.from_url(app.config["REDIS_URL"])
    # Jobs run in this process, not in a work-horse forked per job: fonts, keys' libraries
    # and connections stay warm from one job to the next (a fork per job made the render and
    # seal about 2.5 times slower). A killed worker's job is put back by requeue_stale.
    SimpleWorker([queue.queue(connection)], connection=connection).work(
        burst=burst, with_scheduler=False)


def _preload():
    """Import WeasyPrint and pyHanko (about 0.5 s and 1.2 s) and prepare the stamp font before
    the first job, not during it."""
    import portal.rendering.pdf  # noqa: F401
    from portal.signing.pdf import _stamp_font

    _stamp_font()


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
