"""``opes-lti serve``: run a service under gunicorn."""

from __future__ import annotations

import os

import click

from opes_lti.accounts import services as accounts
from opes_lti.cli.context import CliContext, pass_context


@click.command("serve")
@click.option(
    "--service",
    type=click.Choice(["embedded", "reporting", "tool"]),
    default="embedded",
    show_default=True,
    help="embedded: tool and reporting in one process, schema migrated on start.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int)
@click.option(
    "--no-dispatcher",
    is_flag=True,
    help="Do not deliver the outbox from this process (run 'outbox worker').",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="Log each request to stdout (leave it to the reverse proxy when there is one).",
)
@pass_context
def command(
    obj: CliContext,
    service: str,
    host: str,
    port: int,
    workers: int,
    threads: int,
    no_dispatcher: bool,
    access_log: bool,
) -> None:
    """Serve the web application and print the addresses to open."""
    from opes_lti.server import PortTaken, check_port_free, serve

    try:
        check_port_free(host, port)
    except PortTaken:
        raise click.ClickException(
            f"port {port} is taken on {host} (is OPES already running?): "
            "choose another with ./scripts/run --port N (or opes-lti serve --port N)"
        ) from None
    settings = obj.settings
    base = f"http://{host}:{port}"
    if "OPES_BASE_URL" not in os.environ:
        # Nothing public configured: LTI URLs are then where this process listens.
        settings = settings.with_overrides(base_url=base)
    click.echo(f"OPES {service} service starting on {base}")
    if service in ("embedded", "reporting"):
        click.echo(f"  reporting home:   {base}/")
        click.echo(f"  ingestion API:    {base}/api/v1/events")
        click.echo(f"  API description:  {base}/api/v1/openapi.json")
    if service in ("embedded", "tool"):
        click.echo(f"  LTI tool config:  {settings.base_url}/lti/config.json")
        click.echo(
            f"  LTI admin page:   {settings.base_url}/admin/platforms"
            "  (make an account: opes-lti accounts add NAME --role admin)"
        )
        from opes_lti.democourse.services import enabled

        if enabled(settings, service):
            click.echo(
                f"  demo course:      {settings.base_url}/demo/"
                "  (launch every activity as a learner, an instructor or a designer)"
            )
            if service == "embedded":
                password = obj.run(accounts.demo_coordinator)
                click.echo(
                    f"  dashboard:        {base}/dashboard/  (sign in as "
                    f"{accounts.DEMO_COORDINATOR}, password {password})"
                )
    click.echo(f"  health:           {base}/healthz")
    serve(
        settings,
        service,  # type: ignore[arg-type]
        host,
        port,
        workers,
        threads,
        not no_dispatcher,
        access_log=access_log,
    )
