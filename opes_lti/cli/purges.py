"""``opes-lti purges``: the record of every deliberate deletion of shared data."""

from __future__ import annotations

import click

from opes_lti.cli.context import CliContext, pass_context
from opes_lti.core import purges


@click.group("purges")
def command() -> None:
    """What was purged, when and by whom (nothing shared is deleted unrecorded)."""


@command.command("list")
@pass_context
def list_(obj: CliContext) -> None:
    """List purges, newest first."""
    rows = obj.run(
        lambda db: [
            (r.id, r.purged_at, r.kind, r.subject, r.actor, r.deleted) for r in purges.history(db)
        ]
    )
    if not rows:
        click.echo("nothing has been purged")
    for number, when, kind, subject, actor, deleted in rows:
        counts = ", ".join(f"{n} in {table}" for table, n in deleted.items())
        click.echo(f"{number:>4}  {when:%Y-%m-%d %H:%M} UTC  {kind} {subject}  by {actor}")
        click.echo(f"      deleted {counts}")
