"""`flask axis …`: the national axis's commands."""

from pathlib import Path

import click
from flask import current_app
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


@axis.command("simulate")
@click.option("--port", type=int, default=8100, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Where it keeps the messages [default: instance/axis-simulator].")
@click.option("--route", "routes", multiple=True, metavar="ORGAN_ID=URL,TOKEN",
              help="The portal that receives for ORGAN_ID, and the axis token it printed "
                   "(repeat for each identifier).")
@click.option("--routes", "routes_file", type=click.Path(dir_okay=False, exists=True,
                                                         path_type=Path),
              help='A JSON file: {"tokens": [...], "routes": {"ORGAN_ID": {"url": ..., '
                   '"token": ...}}}.')
@click.option("--token", "tokens", multiple=True,
              help="A bearer token a sender may present (a portal's AXIS_TOKEN); repeat.")
@click.option("--retry-seconds", type=float, default=2.0, show_default=True,
              help="The first wait before forwarding again to a portal that did not take a "
                   "message; it doubles each time, up to five minutes.")
def simulate_command(port, host, data_dir, routes, routes_file, tokens, retry_seconds):
    """Run a small national axis on HOST:PORT that keeps and forwards edXML messages."""
    from portal.interop import simulator

    settings = simulator.Settings(tokens=set(tokens), retry_seconds=retry_seconds,
                                  max_bytes=current_app.config["EDXML_MAX_BYTES"])
    if routes_file:
        try:
            from_file, file_tokens = simulator.load_routes_file(routes_file)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise click.BadParameter(f"{routes_file}: {error!r}", param_hint="--routes") \
                from error
        settings.routes.update(from_file)
        settings.tokens |= file_tokens
    try:
        settings.routes.update(simulator.parse_route(text) for text in routes)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--route") from error
    if not settings.tokens:
        raise click.UsageError("give at least one --token the senders present (their AXIS_TOKEN)")
    data_dir = data_dir or Path(current_app.instance_path) / "axis-simulator"
    app, forwarder = simulator.create_simulator(data_dir, settings)
    server = simulator.serve(app, forwarder, host, port)
    click.echo(f"axis simulator on http://{host}:{server.server_port}/ "
               f"(messages in {data_dir}; {len(settings.routes)} routes)")
    for organ_id, route in sorted(settings.routes.items()):
        click.echo(f"  {organ_id} → {route.url}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        forwarder.stop()
