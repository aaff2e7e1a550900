"""Command-line tools: `flask users …` and `flask demo-data`."""

import time

import click
from flask import current_app
from flask.cli import AppGroup

from portal.audit.context import bind_origin
from portal.rules import PortalError
from portal.transaction import action

users_cli = AppGroup("users", help="Manage people and their API tokens.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--org", "org_code", required=True, help="Organisation code, e.g. BTNMT or HCM.")
@click.option("--role", required=True,
              type=click.Choice(["clerk", "specialist", "leader", "reviewer", "admin"]))
@click.option("--name", "full_name", default=None, help="Full name (defaults to the e-mail).")
@click.password_option(help="At least 12 characters.")
def create_user_command(email, org_code, role, full_name, password):
    """Create a person in an organisation with one role."""
    bind_origin("cli")
    from portal.auth.services import create_user
    from portal.organisations.services import find_by_code

    organisation = find_by_code(org_code)
    if organisation is None:
        raise click.ClickException(f"no organisation with code {org_code}")
    try:
        with action():
            user = create_user(email=email, full_name=full_name or email,
                               organisation=organisation, role=role, password=password)
    except PortalError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"created {user.email} ({role}, {organisation.code})")


def _person(email):
    from portal.auth.services import find_user_by_email

    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user {email}")
    return user


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="CLI", help="A name to recognise the token by.")
def token_command(email, name):
    """Print a new API token for EMAIL (shown once; stored hashed)."""
    bind_origin("cli")
    from portal.auth.services import issue_token

    user = _person(email)
    with action():
        _token, secret = issue_token(user, name)
    click.echo(secret)


@users_cli.command("reset-second-factor")
@click.argument("email")
def reset_second_factor_command(email):
    """Clear EMAIL's two-step sign-in (a lost phone) and end their sessions; they set it up
    again at their next sign-in. For when no administrator can sign in to do it."""
    bind_origin("cli")
    from portal.auth.second_factor import reset

    user = _person(email)
    with action():
        reset(user, actor=None)
    click.echo(f"two-step sign-in of {user.email} reset")


@click.command("demo-data")
@click.option("--scale", type=click.IntRange(min=0), default=0, metavar="N",
              help="Also add about N deliveries over the past year (for benchmarks).")
def demo_data_command(scale):
    """Load the organisations, demo people and records (running it again adds nothing, except
    with --scale, which adds N more deliveries each time)."""
    bind_origin("cli")
    from portal.demo.services import load_demo_data

    password = current_app.config["DEMO_PASSWORD"]
    created, logins = load_demo_data(password)
    click.echo(f"Organisations created: {created}")
    if scale:
        from portal.demo.scale import generate_deliveries

        started = time.perf_counter()
        made = generate_deliveries(scale)
        click.echo(f"Deliveries generated: {made} in {time.perf_counter() - started:.0f} s")
    click.echo(f"Demo logins (password for all: {password}):")
    click.echo("  Administrators, leaders and reviewers set up two-step sign-in at their first "
               "sign-in: scan the code shown with any authenticator app.")
    for email, role, code, _name in logins:
        click.echo(f"  {email:<42} {role:<11} {code}")


def register(app):
    from portal.interop.cli import axis
    from portal.jobs.cli import jobs_cli
    from portal.organisations.cli import organisations_cli
    from portal.signing.cli import pki_cli

    app.cli.add_command(axis)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(pki_cli)
    app.cli.add_command(organisations_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_data_command)
