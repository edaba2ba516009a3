"""The one Dispatcher, built for the reporting service in a site's OPES settings."""

from __future__ import annotations

from typing import Any

from opes_lti.events.delivery import Dispatcher, OutboxStore, ReportingClient


def dispatcher_for(
    settings: dict[str, Any],
    store: OutboxStore,
    timeout: float = 10.0,
    max_backoff: float = 300.0,
) -> Dispatcher | None:
    """The sender for the reporting service in ``settings``, or None if unset."""
    url = settings.get("REPORTING_URL")
    if not url:
        return None
    client = ReportingClient(url, settings.get("REPORTING_TOKEN", ""), timeout=timeout)
    return Dispatcher(store, client, max_backoff=max_backoff)
