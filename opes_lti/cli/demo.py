"""``opes-lti demo``: fill the outbox with demo events."""

from __future__ import annotations

import click

from opes_lti.cli.context import CliContext, pass_context
from opes_lti.demo import demo_events
from opes_lti.events.outbox import emit


@click.command("demo")
@click.option("--learners", default=40, show_default=True, help="How many demo learners.")
@pass_context
def command(obj: CliContext, learners: int) -> None:
    """Queue demo outcome events (the same ones every run, so rerunning adds nothing)."""
    total = new = 0
    with obj.database.transaction() as db:
        for event in demo_events(obj.settings.source_name, learners):
            new += emit(db, event)
            total += 1
    if new:
        click.echo(f"{new} new demo events queued for the reporting service (of {total})")
    else:
        click.echo(f"demo events already queued: all {total} were there, nothing added")
