"""``manage.py lms opes_send_events``: deliver the blocks' outcome events.

Run it from cron, or with ``--loop`` as a long-running worker (a Celery beat task may
call :func:`opes_xblocks.outbox.store.dispatcher` the same way).
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from opes_xblocks.compat import site_settings
from opes_xblocks.outbox.store import dispatcher


class Command(BaseCommand):
    """Send what is due to the reporting service named in XBLOCK_SETTINGS."""

    help = "Send the OPES blocks' pending outcome events to the reporting service."

    def add_arguments(self, parser: Any) -> None:
        """``--loop`` keeps sending until stopped."""
        parser.add_argument("--loop", action="store_true", help="keep running")

    def handle(self, *args: Any, **options: Any) -> None:
        """One drain, or a loop."""
        sender = dispatcher(site_settings())
        if sender is None:
            raise CommandError("XBLOCK_SETTINGS['OPES']['REPORTING_URL'] is not set")
        if options["loop"]:
            sender.run(threading.Event())
            return
        report = sender.drain()
        self.stdout.write(
            f"delivered {report.delivered}, rejected {report.rejected}, "
            f"to retry {report.retried}" + (f" ({report.failure})" if report.failure else "")
        )
