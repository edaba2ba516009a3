"""The demo course's state: its registration with the tool, its items, its gradebook."""

from __future__ import annotations

import contextlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.core.settings import Settings
from opes_lti.democourse.models import DemoItem, DemoScore
from opes_lti.lti import registrations
from opes_lti.lti.registrations import PlatformSpec, RegistrationError

#: What a new demo course holds: the self-assessment before and after.
SEEDED = (
    ("Autovalutazione iniziale", {"activity": "selfassessment", "phase": "pre"}, 100.0),
    ("Autovalutazione finale", {"activity": "selfassessment", "phase": "post"}, 100.0),
)
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")


def enabled(settings: Settings, service: str) -> bool:
    """Whether to serve the demo course.

    ``OPES_DEMO_COURSE=on`` turns it on, ``off`` off. Unset (``auto``) it is on only for
    the embedded default on a loopback base URL: never for ``--service tool``, never on a
    public address, so a production instance cannot serve it by accident.
    """
    if settings.demo_course in ("on", "off"):
        return settings.demo_course == "on"
    host = settings.base_url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    return service == "embedded" and host in _LOOPBACK


def ensure(db: Session, spec: dict[str, Any]) -> None:
    """Register the demo platform with the tool (once) and give the course its items."""
    found = registrations.platforms_for(db, spec["issuer"], spec["client_id"])
    if not found:
        with contextlib.suppress(RegistrationError):  # registered meanwhile elsewhere
            registrations.add_platform(db, PlatformSpec(**spec))
    if db.scalar(sa.select(sa.func.count()).select_from(DemoItem)) == 0:
        for title, custom, maximum in SEEDED:
            db.add(DemoItem(title=title, custom=custom, score_maximum=maximum))
    db.flush()


def items(db: Session) -> list[DemoItem]:
    """The course's activities, in the order they were placed."""
    return list(db.scalars(sa.select(DemoItem).order_by(DemoItem.id)))


def place(db: Session, content_items: list[dict[str, Any]]) -> list[DemoItem]:
    """Add what the designer picked in the tool (LTI resource links only)."""
    placed = []
    for content in content_items:
        if content.get("type") != "ltiResourceLink":
            continue
        custom = content.get("custom")
        custom = custom if isinstance(custom, dict) else {}
        line = content.get("lineItem")
        line = line if isinstance(line, dict) else {}
        maximum = line.get("scoreMaximum")
        item = DemoItem(
            title=str(content.get("title") or "Attività OPES")[:300],
            custom={str(k): str(v) for k, v in custom.items()},
            score_maximum=float(maximum) if isinstance(maximum, int | float) else None,
        )
        db.add(item)
        placed.append(item)
    db.flush()
    return placed


def record_score(db: Session, item_id: int, score: dict[str, Any]) -> DemoScore | None:
    """Store a score the tool posted; None if the item is not in the course."""
    if db.get(DemoItem, item_id) is None:
        return None

    def number(key: str) -> float | None:
        value = score.get(key)
        return float(value) if isinstance(value, int | float) else None

    row = DemoScore(
        item_id=item_id,
        person=str(score.get("userId", ""))[:40],
        score_given=number("scoreGiven"),
        score_maximum=number("scoreMaximum"),
        activity_progress=str(score.get("activityProgress", ""))[:40],
        grading_progress=str(score.get("gradingProgress", ""))[:40],
    )
    db.add(row)
    db.flush()
    return row


def gradebook(db: Session) -> list[tuple[DemoItem, DemoScore]]:
    """The latest score per person and item, newest first."""
    latest = (
        sa.select(sa.func.max(DemoScore.id))
        .group_by(DemoScore.item_id, DemoScore.person)
        .scalar_subquery()
    )
    rows = db.execute(
        sa.select(DemoItem, DemoScore)
        .join(DemoScore, DemoScore.item_id == DemoItem.id)
        .where(DemoScore.id.in_(latest))
        .order_by(DemoScore.id.desc())
    )
    return [(item, score) for item, score in rows.tuples()]
