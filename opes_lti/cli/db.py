"""``opes-lti db``: schema migrations."""

from __future__ import annotations

import click

from opes_lti.cli.context import CliContext, pass_context
from opes_lti.core import migrate


@click.group("db")
def command() -> None:
    """Create or migrate the database schema."""


@command.command("upgrade")
@click.argument("revision", default="head")
@pass_context
def upgrade(obj: CliContext, revision: str) -> None:
    """Migrate the database to REVISION (default: the newest)."""
    migrate.upgrade(obj.settings.database_url, revision)
    click.echo(f"database at revision {migrate.current(obj.settings.database_url)}")


@command.command("downgrade")
@click.argument("revision")
@pass_context
def downgrade(obj: CliContext, revision: str) -> None:
    """Migrate the database back to REVISION ('base' empties it)."""
    migrate.downgrade(obj.settings.database_url, revision)
    click.echo(f"database at revision {migrate.current(obj.settings.database_url) or 'base'}")


@command.command("current")
@pass_context
def current(obj: CliContext) -> None:
    """Show the revision the database is at."""
    click.echo(migrate.current(obj.settings.database_url) or "base (no schema)")
