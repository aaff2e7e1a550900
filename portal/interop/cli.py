"""`flask axis …`: the national axis's commands."""

import click
from flask.cli import AppGroup

axis = AppGroup("axis", help="The national document exchange axis (edXML).")


@axis.command("token")
@click.option("--revoke-all", is_flag=True,
              help="Revoke every earlier axis token: only the new one works.")
def token_command(revoke_all):
    """Make the token the axis presents to POST /api/v1/edxml (printed once, last line)."""
    from portal.audit.context import bind_origin
    from portal.interop.tokens import issue_axis_token
    from portal.transaction import action

    bind_origin("cli")
    with action():
        token, secret = issue_axis_token(revoke_all=revoke_all)
    if revoke_all:
        click.echo("Every earlier axis token is revoked.")
    click.echo(f"A new axis token ({token.prefix}…) is made. Give it to the axis as its "
               "bearer token for POST /api/v1/edxml; it is not shown again:")
    click.echo(secret)
