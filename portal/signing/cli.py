"""`flask pki init`: development keys for every organisation and leader."""

import click
from flask.cli import AppGroup

pki_cli = AppGroup("pki", help="Signing keys and trusted roots.")


@pki_cli.command("init")
def init_command():
    """Create the development CA (trusted) and the missing organisation and leader keys."""
    from portal.audit.context import bind_origin
    from portal.signing.keys import init_development_pki
    from portal.transaction import action

    bind_origin("cli")
    with action():
        issued = init_development_pki()
    click.echo(f"certificates issued: {issued}")
