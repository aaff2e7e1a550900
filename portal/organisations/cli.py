"""`flask organisations apply-merges`: what merges whose day has come do (people, open
deliveries, keys, registers: organisations.merging.take_effect); `flask organisations
reorganise FILE`: apply a file of dated renames and merges (organisations.reorganisation).

A merge entered ahead of its effective day takes effect on that day; run apply-merges daily
(cron or a systemd timer) on one machine.
"""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from portal.audit.context import bind_origin
from portal.clock import local_today
from portal.extensions import db
from portal.organisations import reorganisation
from portal.organisations.merging import take_effect
from portal.organisations.models import Organisation
from portal.organisations.services import OrganisationError, find_by_code, set_axis_details
from portal.transaction import action

organisations_cli = AppGroup("organisations",
                             help="Organisations: merges in effect, identifiers on the axis.")


@organisations_cli.command("apply-merges")
def apply_merges_command():
    """Give every merged organisation's people, open deliveries, keys and registers over."""
    bind_origin("cli")
    merged = db.session.scalars(select(Organisation).where(
        Organisation.successor_id.is_not(None), Organisation.merged_on <= local_today())
        .order_by(Organisation.id)).all()
    passed = 0
    for organisation in merged:
        with action():
            passed += len(take_effect(organisation)["passed_on"])
    click.echo(f"{passed} deliveries passed on")


@organisations_cli.command("reorganise")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Print what would change; change nothing.")
def reorganise_command(file, dry_run):
    """Apply a file of dated renames and merges (a refused file changes nothing)."""
    bind_origin("cli")
    try:
        events = reorganisation.read_events(reorganisation.decode(file.read()))
        if dry_run:
            plan = reorganisation.plan_reorganisation(events)
            db.session.rollback()
        else:
            with action():
                plan = reorganisation.apply_reorganisation(events)
    except reorganisation.ReorganisationError as error:
        db.session.rollback()
        click.echo(str(error), err=True)
        raise SystemExit(1) from error
    for step in plan.events:
        click.echo(reorganisation.describe(step))
    click.echo(reorganisation.describe_totals(plan, dry_run=dry_run))


@organisations_cli.command("set-axis")
@click.argument("code")
@click.option("--organ-id", required=True, help="The national identifier, e.g. 000.00.00.G22.")
@click.option("--channel", type=click.Choice(["portal", "axis"]), default=None,
              help="How it receives (unchanged when not given).")
def set_axis_command(code, organ_id, channel):
    """Give the organisation bearing CODE its national identifier (and channel)."""
    bind_origin("cli")
    organisation = find_by_code(code)
    if organisation is None:
        click.echo(f"No organisation has the code {code}.", err=True)
        raise SystemExit(1)
    try:
        with action():
            set_axis_details(organisation, organ_id=organ_id,
                             channel=channel or organisation.channel,
                             address=organisation.address, email=organisation.email,
                             telephone=organisation.telephone)
    except OrganisationError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from error
    click.echo(f"{organisation.code}: {organisation.organ_id} ({organisation.channel})")
