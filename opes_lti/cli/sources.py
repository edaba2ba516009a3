"""``opes-lti sources``: who may post events to the reporting service."""

from __future__ import annotations

import click

from opes_lti.cli.context import CliContext, pass_context
from opes_lti.reporting import sources


@click.group("sources")
def command() -> None:
    """Register, list and revoke reporting sources (ingestion tokens)."""


@command.command("add")
@click.argument("name")
@pass_context
def add(obj: CliContext, name: str) -> None:
    """Register source NAME and print its token (shown this once only)."""
    created = obj.run(lambda db: sources.add_source(db, name), sources.SourceError)
    click.echo(f"source {name} registered. Its token, shown only now:")
    click.echo(created.token)


@command.command("rotate")
@click.argument("name")
@pass_context
def rotate(obj: CliContext, name: str) -> None:
    """Give source NAME a new token; the old one stops working at once."""
    created = obj.run(lambda db: sources.rotate_token(db, name), sources.SourceError)
    click.echo(f"new token for {name}, shown only now:")
    click.echo(created.token)


@command.command("revoke")
@click.argument("name")
@pass_context
def revoke(obj: CliContext, name: str) -> None:
    """Revoke source NAME's token; the events it sent stay."""
    obj.run(lambda db: sources.revoke_source(db, name), sources.SourceError)
    click.echo(f"source {name} revoked")


@command.command("list")
@pass_context
def list_(obj: CliContext) -> None:
    """List sources with their state and last use."""
    with obj.database.transaction() as db:
        rows = sources.list_sources(db)
        if not rows:
            click.echo("no sources yet: add one with 'opes-lti sources add NAME'")
            return
        click.echo(f"{'name':<30} {'state':<8} {'created':<20} last used")
        for s in rows:
            state = "active" if s.active else "revoked"
            used = s.last_used_at.strftime("%Y-%m-%d %H:%M") if s.last_used_at else "never"
            click.echo(f"{s.name:<30} {state:<8} {s.created_at:%Y-%m-%d %H:%M}     {used}")
