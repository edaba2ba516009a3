"""Outbox delivery: the sending, batching and backoff every producer shares (pure + requests).

The storage differs by host (SQLAlchemy in the tool service, Django inside Open edX), so it
hides behind :class:`OutboxStore`; everything that talks HTTP to the reporting service is
here, once.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

import requests

from opes_lti.events import worker
from opes_lti.events.domain import OutcomeEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxItem:
    """An event claimed for sending: its id and the exact JSON text to send."""

    event_id: str
    body: str
    attempts: int
    #: When the event was stored, for the delivery log's lag (None where a store keeps none).
    created_at: datetime | None = None


@dataclass(frozen=True)
class Claim:
    """A batch reserved for one dispatcher until its lease runs out."""

    token: str
    items: list[OutboxItem]


@dataclass(frozen=True)
class Settlement:
    """What to record for one claimed event after a send."""

    event_id: str
    outcome: Literal["delivered", "rejected", "retry"]
    reason: str = ""
    next_attempt_at: datetime | None = None


class OutboxStore(Protocol):
    """Durable storage of events waiting to be sent."""

    def emit(self, event: OutcomeEvent) -> None:
        """Store an event for sending (in the caller's transaction where there is one)."""

    def claim(self, limit: int, lease: timedelta, now: datetime) -> Claim:
        """Reserve up to ``limit`` due events that no other dispatcher holds."""

    def settle(self, claim: Claim, settlements: Sequence[Settlement], now: datetime) -> None:
        """Record what became of a claimed batch, releasing it."""


class TransientFailure(Exception):
    """The batch could not be delivered now; every event in it is tried again later."""


class SourceRefused(Exception):
    """The reporting service does not accept this sender's token."""


class BatchTooLarge(TransientFailure):
    """The service refused the batch for its size (413): send fewer events at once."""


def backoff_delay(
    attempt: int, base: float = 1.0, cap: float = 300.0, rng: Callable[[], float] = random.random
) -> float:
    """Seconds to wait before attempt ``attempt + 1``: exponential, capped, half jittered.

    Half of the delay is fixed so a retry never comes at once; the other half is random so
    many senders that failed together do not all come back together.
    """
    delay = min(cap, base * 2.0 ** max(0, attempt - 1))
    return delay / 2 + rng() * delay / 2


class ReportingClient:
    """Posts batches to the reporting service's ingestion API."""

    def __init__(
        self, base_url: str, token: str, timeout: float = 10.0, http: requests.Session | None = None
    ) -> None:
        self.url = base_url.rstrip("/") + "/api/v1/events"
        self._token = token
        self.timeout = timeout
        self.http = http or requests.Session()

    def __repr__(self) -> str:  # the token never reaches a log line
        return f"ReportingClient({self.url!r})"

    def source_name(self) -> str:
        """The name of the source this client's token belongs to, asked of the service.

        :class:`SourceRefused` if the service refuses the token, :class:`TransientFailure`
        if it cannot be asked now.
        """
        url = self.url.rsplit("/", 1)[0] + "/source"
        try:
            response = self.http.get(
                url, headers={"Authorization": f"Bearer {self._token}"}, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise TransientFailure(f"reporting service unreachable: {type(exc).__name__}") from None
        if response.status_code in (401, 403):
            raise SourceRefused("the reporting service refused the token")
        try:
            response.raise_for_status()
            return str(response.json()["source"]["name"])
        except (requests.RequestException, ValueError, KeyError, TypeError):
            raise TransientFailure(
                f"reporting service answered {response.status_code} to {url}"
            ) from None

    def send(self, items: Sequence[OutboxItem]) -> dict[str, dict[str, Any]]:
        """Post the items as one JSON array; return the per-item results by event id."""
        body = "[" + ",".join(item.body for item in items) + "]"
        try:
            response = self.http.post(
                self.url,
                data=body.encode("utf-8"),
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {self._token}",
                },
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise TransientFailure(f"reporting service unreachable: {type(exc).__name__}") from None
        if response.status_code == 413:
            raise BatchTooLarge(f"reporting service refused {len(items)} events as too large")
        if response.status_code != 200:
            # 401/403 (token revoked), 413, 429 and 5xx alike: keep every event and try
            # later. Nothing the service says about a whole batch makes an event undeliverable.
            raise TransientFailure(
                f"reporting service answered HTTP {response.status_code}: {response.text[:200]}"
            )
        try:
            results = response.json()["results"]
            by_index = {int(r["index"]): r for r in results}
        except (ValueError, KeyError, TypeError) as exc:
            raise TransientFailure(f"unreadable answer from the reporting service: {exc}") from None
        return {item.event_id: by_index.get(i, {}) for i, item in enumerate(items)}


@dataclass
class DispatchReport:
    """What one round of the dispatcher did."""

    claimed: int = 0
    delivered: int = 0
    rejected: int = 0
    retried: int = 0
    failure: str | None = None
    reasons: list[str] = field(default_factory=list)


def _reason(result: dict[str, Any]) -> str:
    errors = result.get("errors") or []
    detail = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors)
    return f"{result.get('status')}: {detail}" if detail else str(result.get("status"))


class Dispatcher:
    """Claims due events, sends them in one request, and settles each by its own answer."""

    def __init__(
        self,
        store: OutboxStore,
        client: ReportingClient,
        *,
        batch_size: int = 200,
        lease_seconds: float = 60.0,
        max_backoff: float = 300.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.store = store
        self.client = client
        self.batch_size = batch_size
        self.lease = timedelta(seconds=lease_seconds)
        self.max_backoff = max_backoff
        self.clock = clock
        self.rng = rng
        #: Consecutive rounds that failed as a whole; drives the dispatcher's own pause.
        self.failures = 0

    def run_once(self) -> DispatchReport:
        """One claim, one send, one settle."""
        now = self.clock()
        claim = self.store.claim(self.batch_size, self.lease, now)
        report = DispatchReport(claimed=len(claim.items))
        if not claim.items:
            return report
        try:
            results = self.client.send(claim.items)
        except BatchTooLarge as exc:
            settlements = self._shrink(claim.items, str(exc), now)
        except TransientFailure as exc:
            self.failures += 1
            report.failure = str(exc)
            settlements = [self._retry(item, str(exc), now) for item in claim.items]
        else:
            self.failures = 0
            settlements = []
            for item in claim.items:
                result = results.get(item.event_id, {})
                status = result.get("status")
                if status in ("accepted", "duplicate"):
                    settlements.append(Settlement(item.event_id, "delivered"))
                elif status in ("rejected", "conflict"):
                    # Sending again cannot change the answer: set it aside for a person.
                    settlements.append(Settlement(item.event_id, "rejected", _reason(result)))
                    report.reasons.append(f"{item.event_id} {_reason(result)}")
                else:
                    settlements.append(self._retry(item, "no result for this item", now))
        counts = Counter(s.outcome for s in settlements)
        report.delivered, report.rejected, report.retried = (
            counts["delivered"],
            counts["rejected"],
            counts["retry"],
        )
        settled_at = self.clock()
        self.store.settle(claim, settlements, settled_at)
        for reason in report.reasons:
            log.warning("outbox event rejected by the reporting service: %s", reason)
        if report.delivered:
            stored = [i.created_at for i in claim.items if i.created_at is not None]
            lag = (settled_at - min(stored)).total_seconds() if stored else None
            log.info(
                "outbox delivered %d events%s",
                report.delivered,
                f" (oldest waited {lag:.1f} s)" if lag is not None else "",
                extra={"delivered": report.delivered, "lag_seconds": lag},
            )
        return report

    def _shrink(self, items: list[OutboxItem], reason: str, now: datetime) -> list[Settlement]:
        # The service's limit is its own setting: learn it by halving, and retry at once.
        if len(items) == 1:
            return [Settlement(items[0].event_id, "rejected", reason)]
        self.batch_size = max(1, len(items) // 2)
        log.info(
            "reporting service refused a batch of %d; sending %d at a time",
            len(items),
            self.batch_size,
        )
        return [Settlement(i.event_id, "retry", reason, now) for i in items]

    def _retry(self, item: OutboxItem, reason: str, now: datetime) -> Settlement:
        delay = backoff_delay(item.attempts + 1, cap=self.max_backoff, rng=self.rng)
        return Settlement(item.event_id, "retry", reason, now + timedelta(seconds=delay))

    def pause(self) -> float:
        """Seconds to wait after a round: none while work flows, growing while sends fail."""
        if self.failures == 0:
            return 0.0
        return backoff_delay(self.failures, cap=self.max_backoff, rng=self.rng)

    def drain(self, max_rounds: int = 1_000_000) -> DispatchReport:
        """Send until nothing is due or a round fails (the CLI's ``outbox flush``)."""
        total = DispatchReport()
        for _ in range(max_rounds):
            report = self.run_once()
            total.claimed += report.claimed
            total.delivered += report.delivered
            total.rejected += report.rejected
            total.retried += report.retried
            total.reasons += report.reasons
            if report.failure or report.claimed == 0:
                total.failure = report.failure
                break
        return total

    def step(self, idle_seconds: float = 1.0) -> float:
        """One round, then the seconds to wait before the next.

        None while work flows, the backoff while sends fail, ``idle_seconds`` when
        nothing is due: the step of this dispatcher's :class:`worker.Job`.
        """
        try:
            report = self.run_once()
        except Exception:  # a database hiccup must not kill the worker
            log.exception("outbox round failed; trying again")
            self.failures += 1
            report = DispatchReport(failure="store error")
        if report.failure:
            log.warning("outbox delivery failed (%s); pausing", report.failure)
            return self.pause()
        return idle_seconds if report.claimed == 0 else 0.0

    def job(self, idle_seconds: float = 1.0) -> worker.Job:
        """The dispatcher as a job of the one worker loop."""
        return worker.Job("outbox", lambda: self.step(idle_seconds))

    def run(self, stop: threading.Event, idle_seconds: float = 1.0) -> None:
        """Loop until ``stop`` is set (the send command's ``--loop``)."""
        worker.run([self.job(idle_seconds)], stop)
