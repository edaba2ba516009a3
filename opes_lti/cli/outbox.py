"""``opes-lti outbox``: deliver, inspect and repair the event outbox."""

from __future__ import annotations

import signal
import threading
import uuid
from datetime import timedelta

import click

from opes_lti.cli.context import CliContext, pass_context
from opes_lti.events.delivery import Dispatcher
from opes_lti.events.outbox import SqlOutbox, build_dispatcher


@click.group("outbox")
def command() -> None:
    """Send outcome events to the reporting service."""


def _dispatcher(obj: CliContext) -> Dispatcher:
    try:
        return build_dispatcher(obj.settings, obj.database.sessions)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


@command.command("flush")
@pass_context
def flush(obj: CliContext) -> None:
    """Send every due event now, then stop (exit 1 if the service could not be reached)."""
    report = _dispatcher(obj).drain()
    click.echo(
        f"delivered {report.delivered}, rejected {report.rejected}, to retry {report.retried}"
    )
    if report.failure:
        raise click.ClickException(f"stopped: {report.failure}")


@command.command("worker")
@click.option("--idle", default=1.0, show_default=True, help="Seconds between polls when idle.")
@pass_context
def worker(obj: CliContext, idle: float) -> None:
    """Run the dispatcher until SIGTERM or Ctrl-C (production's separate process)."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    click.echo("outbox worker started")
    _dispatcher(obj).run(stop, idle_seconds=idle)
    click.echo("outbox worker stopped")


@command.command("status")
@pass_context
def status(obj: CliContext) -> None:
    """Count events per state."""
    counts = SqlOutbox(obj.database.sessions).counts()
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))


@command.command("rejected")
@click.option("--limit", default=50, show_default=True)
@pass_context
def rejected(obj: CliContext, limit: int) -> None:
    """List events the reporting service refused, with its reason."""
    rows = SqlOutbox(obj.database.sessions).rejected(limit)
    if not rows:
        click.echo("no rejected events")
    for row in rows:
        click.echo(
            f"{row.event_id} {row.event_type} {row.created_at:%Y-%m-%d %H:%M} {row.last_error}"
        )


@command.command("retry")
@click.argument("event_ids", nargs=-1, type=click.UUID)
@pass_context
def retry(obj: CliContext, event_ids: tuple[uuid.UUID, ...]) -> None:
    """Queue rejected events again (all, or the EVENT_IDS given)."""
    count = SqlOutbox(obj.database.sessions).requeue_rejected(list(event_ids) or None)
    click.echo(f"{count} events queued again")


@command.command("purge")
@click.option("--days", default=30, show_default=True, help="Keep delivered events this long.")
@pass_context
def purge(obj: CliContext, days: int) -> None:
    """Delete delivered events older than --days."""
    count = SqlOutbox(obj.database.sessions).purge_delivered(timedelta(days=days))
    click.echo(f"{count} delivered events deleted")
