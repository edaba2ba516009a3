"""``opes-lti db``: schema migrations."""

from __future__ import annotations

import click

from opes_lti.cli.context import settings
from opes_lti.core import migrate


@click.group("db")
def command() -> None:
    """Create or migrate the database schema."""


@command.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Migrate the database to REVISION (default: the newest)."""
    migrate.upgrade(settings().database_url, revision)
    click.echo(f"database at revision {migrate.current(settings().database_url)}")


@command.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Migrate the database back to REVISION ('base' empties it)."""
    migrate.downgrade(settings().database_url, revision)
    click.echo(f"database at revision {migrate.current(settings().database_url) or 'base'}")


@command.command("current")
def current() -> None:
    """Show the revision the database is at."""
    click.echo(migrate.current(settings().database_url) or "base (no schema)")
