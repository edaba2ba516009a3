"""``opes-lti dashboard``: the rollups the coordinators' pages read."""

from __future__ import annotations

import click
import sqlalchemy as sa

from opes_lti.cli.context import CliContext, pass_context
from opes_lti.dashboard import rollups
from opes_lti.dashboard.models import RollupMark
from opes_lti.reporting.models import Uncounted


@click.group("dashboard")
def command() -> None:
    """Count stored events into the dashboard's rollups, and say how far counting is."""


@command.command("count")
@click.option(
    "--follow",
    is_flag=True,
    help="Keep counting as events arrive, niced, until stopped (what 'serve' runs beside "
    "its web workers; run it here instead where counting has a machine of its own).",
)
@pass_context
def count(obj: CliContext, follow: bool) -> None:
    """Count every event waiting now, then stop; or keep counting with --follow."""
    if follow:
        click.echo("counting stored events into the dashboard as they arrive")
        rollups.follow(obj.database.sessions)
        return
    counted = rollups.count_all(obj.database.sessions)
    click.echo(f"counted {counted} events into the dashboard")


@command.command("status")
@pass_context
def status(obj: CliContext) -> None:
    """Events counted so far, and events waiting to be counted."""
    with obj.database.sessions() as db:
        waiting = db.scalar(sa.select(sa.func.count()).select_from(Uncounted)) or 0
        mark = db.get(RollupMark, 1)
    counted = mark.counted if mark else 0
    when = f", last at {mark.updated_at:%Y-%m-%d %H:%M:%S} UTC" if mark and mark.updated_at else ""
    click.echo(f"counted: {counted}{when}; waiting: {waiting}")
