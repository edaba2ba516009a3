"""``opes-lti demo``: fill the outbox with demo events."""

from __future__ import annotations

import itertools

import click
from sqlalchemy.orm import Session

from opes_lti.cli.context import CliContext, pass_context
from opes_lti.communities import services as communities
from opes_lti.communities.spec import parse
from opes_lti.demo import COMMUNITY_RECORDS, demo_events
from opes_lti.events.outbox import emit_all


@click.command("demo")
@click.option(
    "--learners", default=1500, show_default=True, type=click.IntRange(1, 10_000_000),
    help="How many demo learners (about 34 events each).",
)  # fmt: skip
@click.option(
    "--scale", default=1, show_default=True, type=click.IntRange(1, 1000),
    help="Multiply the learners, for large data sets.",
)  # fmt: skip
@click.option("--seed", default=7, show_default=True, help="The same seed makes the same data.")
@pass_context
def command(obj: CliContext, learners: int, scale: int, seed: int) -> None:
    """Queue a demo programme's events (the same for a seed, so rerunning adds nothing)."""
    total = new = 0
    events = demo_events(obj.settings.source_name, learners * scale, seed)
    # A transaction per thousand events: a large demo shows progress and never holds one
    # long write lock.
    for chunk in itertools.batched(events, 500):
        with obj.database.transaction() as db:
            new += emit_all(db, chunk)
        total += len(chunk)
        if total % 100_000 < len(chunk) <= total - 100_000 + len(chunk):
            click.echo(f"  {total} events made...", err=True)
    if new:
        click.echo(f"{new} new demo events queued for the reporting service (of {total})")
    else:
        click.echo(f"demo events already queued: all {total} were there, nothing added")
    made = obj.run(_communities)
    if made:
        click.echo(f"{made} demo communities added")


def _communities(db: Session) -> int:
    """The five demo communities the tool keeps, added once."""
    known = {c.slug for c in communities.listing(db, disabled=True)}
    made = 0
    for slug, name, theme in COMMUNITY_RECORDS:
        if slug not in known:
            communities.add(db, parse({"slug": slug, "name": name, "theme": theme}))
            made += 1
    return made
