"""``opes-lti sources``: who may post events to the reporting service."""

from __future__ import annotations

import click

from opes_lti.cli.context import database
from opes_lti.reporting import sources


@click.group("sources")
def command() -> None:
    """Register, list and revoke reporting sources (ingestion tokens)."""


def _run(action, name: str) -> sources.NewSource | sources.Source:  # type: ignore[no-untyped-def]
    try:
        with database().transaction() as db:
            return action(db, name)
    except sources.SourceError as exc:
        raise click.ClickException(str(exc)) from None


@command.command("add")
@click.argument("name")
def add(name: str) -> None:
    """Register source NAME and print its token (shown this once only)."""
    created = _run(sources.add_source, name)
    click.echo(f"source {name} registered. Its token, shown only now:")
    click.echo(created.token)  # type: ignore[union-attr]


@command.command("rotate")
@click.argument("name")
def rotate(name: str) -> None:
    """Give source NAME a new token; the old one stops working at once."""
    created = _run(sources.rotate_token, name)
    click.echo(f"new token for {name}, shown only now:")
    click.echo(created.token)  # type: ignore[union-attr]


@command.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke source NAME's token; the events it sent stay."""
    _run(sources.revoke_source, name)
    click.echo(f"source {name} revoked")


@command.command("list")
def list_() -> None:
    """List sources with their state and last use."""
    with database().transaction() as db:
        rows = sources.list_sources(db)
        if not rows:
            click.echo("no sources yet: add one with 'opes-lti sources add NAME'")
            return
        click.echo(f"{'name':<30} {'state':<8} {'created':<20} last used")
        for s in rows:
            state = "active" if s.active else "revoked"
            used = s.last_used_at.strftime("%Y-%m-%d %H:%M") if s.last_used_at else "never"
            click.echo(f"{s.name:<30} {state:<8} {s.created_at:%Y-%m-%d %H:%M}     {used}")
