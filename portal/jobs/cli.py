"""`flask jobs worker` runs jobs from Redis; `flask jobs relay` hands waiting jobs over."""

import click
from flask import current_app
from flask.cli import AppGroup
from redis.exceptions import RedisError

from portal.jobs import runner
from portal.jobs.worker import run_worker

jobs_cli = AppGroup("jobs", help="Background jobs (render, sign, verify).")


@jobs_cli.command("relay")
def relay_command():
    """Put back dead runs' jobs and hand waiting ones to Redis (or run them, without
    REDIS_URL), once."""
    requeued = runner.requeue_stale()
    try:
        lost = runner.rehand_lost() if current_app.config["REDIS_URL"] else 0
    except RedisError as error:
        raise click.ClickException(f"put back {requeued}; Redis does not answer ({error})") \
            from None
    click.echo(f"put back {requeued}, lost by Redis {lost}, handed over {runner.relay_pending()}")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (tests).")
def worker_command(burst):
    """Run jobs from the queue, and keep relaying jobs that wait (e.g. after Redis was down)."""
    app = current_app._get_current_object()
    if not app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set: jobs run inside the portal itself")
    run_worker(app, burst=burst)
