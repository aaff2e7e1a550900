"""`flask organisations apply-merges`: pass on the open work of merges whose day has come.

A merge entered ahead of its effective day passes the merged organisation's open deliveries
on that day; run this daily (cron or a systemd timer) on one machine.
"""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from portal.audit.context import bind_origin
from portal.clock import local_today
from portal.extensions import db
from portal.organisations.merging import pass_on_open_deliveries
from portal.organisations.models import Organisation
from portal.transaction import action

organisations_cli = AppGroup("organisations", help="Organisations: merges in effect.")


@organisations_cli.command("apply-merges")
def apply_merges_command():
    """Pass every merged organisation's open deliveries to its successor."""
    bind_origin("cli")
    merged = db.session.scalars(select(Organisation).where(
        Organisation.successor_id.is_not(None), Organisation.merged_on <= local_today())
        .order_by(Organisation.id)).all()
    passed = 0
    for organisation in merged:
        with action():
            passed += len(pass_on_open_deliveries(organisation))
    click.echo(f"{passed} deliveries passed on")
