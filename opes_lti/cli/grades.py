"""``opes-lti grades``: scores waiting for the platforms' gradebooks."""

from __future__ import annotations

import signal
import threading

import click

from opes_lti.cli.context import CliContext, pass_context
from opes_lti.lti import grades


@click.group("grades")
def command() -> None:
    """Post queued scores to the platforms (LTI Assignment and Grade Services)."""


@command.command("flush")
@pass_context
def flush(obj: CliContext) -> None:
    """Post every due score now, then stop."""
    report = grades.GradeSender(obj.database.sessions).drain()
    click.echo(f"sent {report.sent}, failed {report.failed}, to retry {report.retried}")


@command.command("worker")
@pass_context
def worker(obj: CliContext) -> None:
    """Post scores until SIGTERM or Ctrl-C (production's separate process)."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    click.echo("grade worker started")
    grades.GradeSender(obj.database.sessions).run(stop)
    click.echo("grade worker stopped")


@command.command("status")
@pass_context
def status(obj: CliContext) -> None:
    """Count scores per state."""
    with obj.database.sessions() as db:
        click.echo(", ".join(f"{k}: {v}" for k, v in grades.counts(db).items()))
