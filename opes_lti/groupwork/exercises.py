"""Placed exercises: found or made on first use, their settings, their copies.

Both faces come here with a :class:`Where`: the LTI pages from a launch, the XBlock's
API calls from the site and block. Settings are always read through
``groups.settings.parse``, so a row can never hold what the designer's form would refuse.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opes_lti.events.domain import Context
from opes_lti.groups.settings import ExerciseSettings, dumped, parse
from opes_lti.groupwork.models import Exercise

#: The custom parameter naming the stored settings a copied placement starts from.
CONFIG_PARAMETER = "exercise_config"


@dataclass(frozen=True)
class Where:
    """Where an exercise sits: a platform's resource link or a site's block."""

    context: Context
    placement_id: str
    platform_id: int | None = None
    site_id: int | None = None

    def __post_init__(self) -> None:
        if (self.platform_id is None) == (self.site_id is None):
            raise ValueError("an exercise sits on a platform or on a site, not both")
        if not self.placement_id:
            raise ValueError("an exercise needs its placement's id")

    def condition(self) -> sa.ColumnElement[bool]:
        """The row of this placement."""
        origin = (
            Exercise.platform_id == self.platform_id
            if self.platform_id is not None
            else Exercise.site_id == self.site_id
        )
        return sa.and_(origin, Exercise.placement_id == self.placement_id)


def find(db: Session, where: Where) -> Exercise | None:
    """The exercise placed there, or None before its first use."""
    return db.scalar(sa.select(Exercise).where(where.condition()))


def _seed(where: Where) -> int:
    """A seed of the placement: the same course copy forms the same way on a re-run."""
    text = f"{where.platform_id}|{where.site_id}|{where.placement_id}"
    # 31 bits: the column is a signed 32-bit integer on PostgreSQL.
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") >> 1


def _key(config_key: str | None) -> str | None:
    """The configuration key as a canonical UUID, or None for anything else."""
    try:
        return str(uuid.UUID(config_key)) if config_key else None
    except ValueError:
        return None


def _copied_from(db: Session, where: Where, config_key: str | None) -> Exercise | None:
    """The first exercise of the same platform or site with that key.

    Only the same origin: a key seen elsewhere must not copy another platform's design.
    """
    if config_key is None:
        return None
    origin = (
        Exercise.platform_id == where.platform_id
        if where.platform_id is not None
        else Exercise.site_id == where.site_id
    )
    return db.scalar(
        sa.select(Exercise)
        .where(Exercise.config_key == config_key, origin)
        .order_by(Exercise.id)
        .limit(1)
    )


def open_exercise(
    db: Session, where: Where, raw: dict[str, Any], config_key: str | None = None
) -> Exercise:
    """The exercise at ``where``, made now from ``raw`` settings if it is new.

    A new placement whose ``config_key`` names a stored exercise of its platform (the
    copy of a course carries its custom parameters) starts from that exercise's
    settings, not its groups; the first placement with a key takes it as its own.
    ``SettingsError`` when the settings cannot be used; nothing is stored then.
    """
    found = find(db, where)
    if found is not None:
        return found
    key = _key(config_key)
    source = _copied_from(db, where, key)
    settings = parse(source.settings if source is not None else raw)
    row = Exercise(
        platform_id=where.platform_id,
        site_id=where.site_id,
        context_id=where.context.course or "",
        placement_id=where.placement_id,
        settings=dumped(settings),
        config_key=key or str(uuid.uuid4()),
        context=where.context.model_dump(mode="json"),
        seed=_seed(where),
    )
    try:
        with db.begin_nested():
            db.add(row)
    except IntegrityError:  # a request racing this one made it first: use theirs
        raced = find(db, where)
        if raced is None:
            raise
        return raced
    return row


def settings_of(exercise: Exercise) -> ExerciseSettings:
    """The exercise's settings, checked."""
    return parse(exercise.settings)


def context_of(exercise: Exercise) -> Context:
    """The event context stored with the exercise."""
    return Context.model_validate(exercise.context)


def configure(db: Session, exercise: Exercise, raw: dict[str, Any]) -> ExerciseSettings:
    """Replace the settings (the caller checked the instructor); groups stay as formed.

    Sizes that no longer fit the groups formed are the instructor's to mend by moving
    people: changing a number never reshuffles anyone's group.
    """
    settings = parse(raw)
    exercise.settings = dumped(settings)
    db.flush()
    return settings
