"""``opes-lti outbox``: deliver, inspect and repair the event outbox."""

from __future__ import annotations

import logging
import signal
import threading
import uuid
from datetime import timedelta

import click

from opes_lti.cli.context import CliContext, pass_context
from opes_lti.core.logformat import use_json_logs
from opes_lti.events.delivery import (
    Dispatcher,
    ReportingClient,
    SourceRefused,
    TransientFailure,
    backoff_delay,
)
from opes_lti.events.outbox import SqlOutbox, build_dispatcher

log = logging.getLogger(__name__)


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


def check_source(client: ReportingClient, configured: str, stop: threading.Event) -> None:
    """Refuse to send under a source name that is not the token's.

    Every event would be rejected, one warning each, and set aside. The service is asked
    until it answers (an outage at start is no reason to refuse).
    """
    attempt = 0
    while not stop.is_set():
        try:
            actual = client.source_name()
            break
        except SourceRefused:
            raise click.ClickException(
                "the reporting service refused OPES_REPORTING_TOKEN: check it, or make a "
                "token with 'opes-lti sources add NAME' (or 'sources rotate NAME') there"
            ) from None
        except TransientFailure as exc:
            attempt += 1
            delay = backoff_delay(attempt, cap=60)
            log.warning("cannot check the source name yet (%s); again in %.0f s", exc, delay)
            stop.wait(delay)
    else:
        return
    if actual != configured:
        raise click.ClickException(
            f"OPES_SOURCE_NAME is {configured!r} but the token belongs to source {actual!r}: "
            f"set OPES_SOURCE_NAME={actual} for every process of this tool instance, then "
            "'opes-lti outbox retry' sends the events rejected meanwhile"
        )
    log.info("sending as source %r to %s", actual, client.url)


@command.command("worker")
@click.option("--idle", default=1.0, show_default=True, help="Seconds between polls when idle.")
@click.option("--json-logs", is_flag=True, help="Log one JSON object per line.")
@pass_context
def worker(obj: CliContext, idle: float, json_logs: bool) -> None:
    """Run the dispatcher until SIGTERM or Ctrl-C (production's separate process).

    At start it checks with the reporting service that OPES_SOURCE_NAME is the name of
    the token's source, and refuses to start otherwise. Each delivered batch is one info
    line (how many, how long the oldest waited).
    """
    if json_logs:
        use_json_logs()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    dispatcher = _dispatcher(obj)
    check_source(dispatcher.client, obj.settings.source_name, stop)
    log.info("outbox worker started")
    dispatcher.run(stop, idle_seconds=idle)
    log.info("outbox worker stopped")


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
    """Queue rejected events again (all, or the EVENT_IDS given).

    Events naming another source than OPES_SOURCE_NAME get this one (they were refused
    because the setting was wrong).
    """
    count, relabelled = SqlOutbox(obj.database.sessions).requeue_rejected(
        list(event_ids) or None, source=obj.settings.source_name
    )
    click.echo(f"{count} events queued again")
    if relabelled:
        click.echo(f"{relabelled} of them now name source {obj.settings.source_name!r}")


@command.command("purge")
@click.option("--days", default=30, show_default=True, help="Keep delivered events this long.")
@pass_context
def purge(obj: CliContext, days: int) -> None:
    """Delete delivered events older than --days."""
    count = SqlOutbox(obj.database.sessions).purge_delivered(timedelta(days=days))
    click.echo(f"{count} delivered events deleted")
