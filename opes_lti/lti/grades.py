"""Grades back to the platform (AGS), through a durable queue so an outage loses none."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from opes_lti.core import queue
from opes_lti.core.db import Base, UTCDateTime, utcnow
from opes_lti.events import worker
from opes_lti.events.delivery import backoff_delay
from opes_lti.lti.launch import Launch
from opes_lti.lti.models import Platform
from opes_lti.lti.services import PlatformServices, ServiceError
from opes_lti.lti.toolconf import DatabaseToolConf

log = logging.getLogger(__name__)

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


class GradeJob(queue.QueueRow, Base):
    """A score waiting to be posted to a platform's gradebook."""

    __tablename__ = "lti_grade_queue"
    __table_args__ = (
        sa.Index("ix_lti_grade_queue_due", "status", "next_attempt_at"),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    #: The AGS claim of the launch: scopes, lineitems and lineitem URLs.
    endpoint: Mapped[str] = mapped_column(sa.Text)
    resource_link_id: Mapped[str] = mapped_column(sa.String(500))
    #: The activity key, used as the line item's resourceId.
    resource_id: Mapped[str] = mapped_column(sa.String(100))
    label: Mapped[str] = mapped_column(sa.String(200))
    #: The platform's own user id: AGS needs it; it never leaves this table.
    user_sub: Mapped[str] = mapped_column(sa.String(500))
    #: The score JSON as posted.
    score: Mapped[str] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NoGradeService(Exception):
    """The launch carried no AGS endpoint with the score scope."""


@dataclass(frozen=True)
class Score:
    """What an activity reports when a learner completes it."""

    given: float
    maximum: float
    activity_progress: str = "Completed"
    grading_progress: str = "FullyGraded"
    comment: str | None = None


def can_grade(launch: Launch) -> bool:
    """Whether the platform accepts scores for this launch."""
    endpoint = launch.claims.get(AGS_CLAIM) or {}
    return SCORE_SCOPE in (endpoint.get("scope") or []) and bool(
        endpoint.get("lineitem") or endpoint.get("lineitems")
    )


def submit(
    db: Session,
    launch: Launch,
    resource_id: str,
    label: str,
    score: Score,
    now: datetime | None = None,
) -> GradeJob:
    """Queue the launching user's score in the caller's transaction; the worker posts it."""
    if not can_grade(launch):
        raise NoGradeService(launch.platform.issuer)
    return submit_for(
        db,
        Gradebook(
            launch.platform.id,
            json.dumps(launch.claims[AGS_CLAIM]),
            launch.resource_link.get("id", ""),
        ),
        launch.claims["sub"],
        resource_id,
        label,
        score,
        now,
    )


@dataclass(frozen=True)
class Gradebook:
    """A placement's grade column as a launch told it: kept to score others later."""

    platform_id: int
    #: The AGS claim, as JSON.
    endpoint: str
    resource_link_id: str

    @classmethod
    def of(cls, launch: Launch) -> Gradebook | None:
        """The launch's gradebook, or None when the platform takes no scores."""
        if not can_grade(launch):
            return None
        return cls(
            launch.platform.id,
            json.dumps(launch.claims[AGS_CLAIM]),
            launch.resource_link.get("id", ""),
        )


def submit_for(
    db: Session,
    book: Gradebook,
    user_sub: str,
    resource_id: str,
    label: str,
    score: Score,
    now: datetime | None = None,
) -> GradeJob:
    """Queue a score for ``user_sub`` (the platform's id), who need not be the one asking.

    Group work grades every member from one instructor's action, with the gradebook a
    launch of the placement stored.
    """
    if not 0 <= score.given <= score.maximum or score.maximum <= 0:
        raise ValueError("a score lies between 0 and a positive maximum")
    body = {
        "userId": user_sub,
        "scoreGiven": score.given,
        "scoreMaximum": score.maximum,
        "activityProgress": score.activity_progress,
        "gradingProgress": score.grading_progress,
        "timestamp": (now or utcnow()).isoformat(timespec="milliseconds"),
    }
    if score.comment:
        body["comment"] = score.comment
    job = GradeJob(
        platform_id=book.platform_id,
        endpoint=book.endpoint,
        resource_link_id=book.resource_link_id,
        resource_id=resource_id,
        label=label,
        user_sub=user_sub,
        score=json.dumps(body),
    )
    db.add(job)
    return job


def _scores_url(lineitem: str) -> str:
    # "/scores" goes on the path, before any query string.
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def _lineitem(services: PlatformServices, endpoint: dict[str, Any], job: Any) -> str:
    """The line item to score: the launch's own, or found/created in the container."""
    if endpoint.get("lineitem"):
        return endpoint["lineitem"]
    scopes = endpoint.get("scope") or []
    container = endpoint["lineitems"]
    for page in services.paged(container, scopes, CONTAINER_TYPE):
        items: list[Any] = page if isinstance(page, list) else []
        for item in items:
            if (
                item.get("resourceLinkId") == job.resource_link_id
                and item.get("resourceId") == job.resource_id
            ):
                return item["id"]
    if LINEITEM_SCOPE not in scopes:
        raise ServiceError("no line item for this activity and no right to create one", False)
    maximum = json.loads(job.score)["scoreMaximum"]
    created = services.call(
        "POST",
        container,
        scopes,
        content_type=LINEITEM_TYPE,
        accept=LINEITEM_TYPE,
        body=json.dumps(
            {
                "label": job.label,
                "scoreMaximum": maximum,
                "resourceId": job.resource_id,
                "resourceLinkId": job.resource_link_id,
            }
        ),
    )
    return created.json()["id"]


@dataclass
class SendReport:
    """What one round of the grade sender did."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0


class GradeSender:
    """Claims due scores and posts them, platform by platform."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        batch_size: int = 50,
        lease_seconds: float = 120.0,
        max_backoff: float = 600.0,
    ) -> None:
        self.sessions = sessions
        self.batch_size = batch_size
        self.lease = timedelta(seconds=lease_seconds)
        self.max_backoff = max_backoff

    def run_once(self) -> SendReport:
        """One claim, each job posted, each settled by its own outcome."""
        now = utcnow()
        with self.sessions.begin() as db:
            token, rows = queue.claim_due(
                db,
                GradeJob,
                GradeJob.id,
                self.batch_size,
                self.lease,
                now,
                GradeJob.platform_id,
                GradeJob.endpoint,
                GradeJob.resource_link_id,
                GradeJob.resource_id,
                GradeJob.label,
                GradeJob.score,
                GradeJob.attempts,
            )
        report = SendReport(claimed=len(rows))
        services: dict[int, PlatformServices] = {}
        for row in rows:
            outcome = self._send(row, services)
            with self.sessions.begin() as db:
                where = GradeJob.id == row.id
                if outcome is None:
                    queue.settle(db, GradeJob, where, token, status="sent", sent_at=utcnow())
                    report.sent += 1
                elif not outcome.transient:
                    queue.settle(db, GradeJob, where, token, status="failed", reason=str(outcome))
                    report.failed += 1
                    log.warning("grade %s set aside: %s", row.id, outcome)
                else:
                    delay = backoff_delay(row.attempts + 1, cap=self.max_backoff)
                    queue.settle(
                        db,
                        GradeJob,
                        where,
                        token,
                        reason=str(outcome),
                        retry_at=utcnow() + timedelta(seconds=delay),
                    )
                    report.retried += 1
        return report

    def _send(self, row: Any, services: dict[int, PlatformServices]) -> ServiceError | None:
        with self.sessions() as db:
            platform = db.get(Platform, row.platform_id)
            if platform is None:
                return ServiceError("the platform was purged", False)
            if platform.disabled_at is not None:
                # Kept and retried with backoff: registering it again sends them.
                return ServiceError("the platform is removed (disabled); the grade waits", True)
            if row.platform_id not in services:
                services[row.platform_id] = PlatformServices(
                    DatabaseToolConf(db).registration(platform)
                )
        client = services[row.platform_id]
        endpoint = json.loads(row.endpoint)
        try:
            lineitem = _lineitem(client, endpoint, row)
            client.call(
                "POST",
                _scores_url(lineitem),
                endpoint.get("scope") or [],
                body=row.score,
                content_type=SCORE_TYPE,
            )
        except ServiceError as exc:
            return exc
        return None

    def drain(self, max_rounds: int = 1000) -> SendReport:
        """Send until nothing is due (``opes-lti grades flush``)."""
        total = SendReport()
        for _ in range(max_rounds):
            report = self.run_once()
            if report.claimed == 0:
                break
            total.claimed += report.claimed
            total.sent += report.sent
            total.failed += report.failed
            total.retried += report.retried
            if report.sent == 0 and report.failed == 0:
                break  # everything due is failing for now: stop, it is retried later
        return total

    def step(self, idle_seconds: float = 2.0) -> float:
        """One round, then the seconds to wait before the next.

        None while scores go out; ``idle_seconds`` when nothing is due or everything due
        failed (each score keeps its own backoff in the queue).
        """
        report = self.run_once()
        if report.claimed == 0 or report.retried == report.claimed:
            return idle_seconds
        return 0.0

    def job(self, idle_seconds: float = 2.0) -> worker.Job:
        """The sender as a job of the one worker loop."""
        return worker.Job("grades", lambda: self.step(idle_seconds))

    def run(self, stop: threading.Event, idle_seconds: float = 2.0) -> None:
        """Loop until ``stop`` is set (``opes-lti grades worker``)."""
        worker.run([self.job(idle_seconds)], stop)


def counts(db: Session) -> dict[str, int]:
    """Scores per state."""
    rows = db.execute(sa.select(GradeJob.status, sa.func.count()).group_by(GradeJob.status)).all()
    return {"pending": 0, "sent": 0, "failed": 0} | dict(rows)
