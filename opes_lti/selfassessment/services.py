"""The questionnaire over the tool's database: placements, answers, submission, class view."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opes_lti.competencies import builtin, csvformat
from opes_lti.competencies.framework import Framework
from opes_lti.competencies.gain import DEFAULT_K, CellStats, Pair, aggregate
from opes_lti.competencies.questionnaire import (
    AnswerError,
    Setup,
    SetupError,
    completion_score,
    configure,
    events,
    is_complete,
    record,
)
from opes_lti.core.db import lock_for_change, utcnow
from opes_lti.events import outbox
from opes_lti.framework_library import services as library
from opes_lti.learners.services import Profile
from opes_lti.lti import grades
from opes_lti.lti.context import PlacementKey, context_of
from opes_lti.lti.launch import Launch
from opes_lti.selfassessment.models import AnswerSet

KEY = "selfassessment"


class PlacementError(ValueError):
    """The launch names a framework or option this tool does not have."""


@dataclass(frozen=True)
class Placement(PlacementKey):
    """Where the questionnaire sits (platform, course, resource link) and how it is set."""

    setup: Setup

    @property
    def framework(self) -> Framework:
        """The framework asked."""
        return self.setup.framework


def placement(db: Session, launch: Launch) -> Placement:
    """The placement a launch opens, set by its custom parameters."""
    custom = launch.custom
    name = str(custom.get("framework") or builtin.DEFAULT)
    try:
        framework = library.find(db, name)
    except library.UnknownFramework:
        raise PlacementError(f"unknown framework {name!r}") from None
    try:
        setup = configure(
            framework,
            custom.get("phase") or "pre",
            custom.get("display") or "competency",
            custom.get("areas"),
        )
    except SetupError as exc:
        raise PlacementError(str(exc)) from None
    key = PlacementKey.of(launch)
    return Placement(key.platform_id, key.context_id, key.resource_link_id, setup)


def _find(db: Session, where: Placement, user: str, lock: bool = False) -> AnswerSet | None:
    condition = (
        AnswerSet.platform_id == where.platform_id,
        AnswerSet.resource_link_id == where.resource_link_id,
        AnswerSet.user == user,
    )
    query = sa.select(AnswerSet).where(*condition)
    if lock:
        # Answers are read, changed and written back: two saves of one learner at once
        # (two quick clicks) must not lose one another's answer.
        query = lock_for_change(db, query, AnswerSet, *condition)
    return db.scalar(query)


def _create(db: Session, where: Placement, user: str) -> AnswerSet:
    """The learner's answer set, made now unless a request racing this one just did."""
    row = AnswerSet(
        platform_id=where.platform_id,
        context_id=where.context_id,
        resource_link_id=where.resource_link_id,
        user=user,
        phase=where.setup.phase,
        framework_id=where.framework.id,
        framework_version=where.framework.version,
        answers={},
    )
    try:
        with db.begin_nested():
            db.add(row)
    except IntegrityError:  # the other request inserted it first: use theirs
        found = _find(db, where, user, lock=True)
        if found is None:
            raise
        return found
    return row


def answers_of(db: Session, where: Placement, user: str) -> tuple[dict[str, int], bool]:
    """(answers so far, submitted?) of a learner in a placement."""
    found = _find(db, where, user)
    if found is None:
        return {}, False
    return {k: int(v) for k, v in found.answers.items()}, found.submitted_at is not None


def save(db: Session, where: Placement, user: str, given: Mapping[str, Any]) -> dict[str, int]:
    """Record answers as the learner goes; :class:`AnswerError` changes nothing.

    The caller rolls back on error, which also takes back a row made here.
    """
    found = _find(db, where, user, lock=True) or _create(db, where, user)
    if found.submitted_at is not None:
        raise AnswerError("these answers were already submitted")
    current = {k: int(v) for k, v in found.answers.items()}
    found.answers = record(where.setup, current, given)
    db.flush()
    return dict(found.answers)


def submit(
    db: Session, where: Placement, launch: Launch, profile: Profile, source: str
) -> dict[str, int]:
    """Close the answer set: outcome events through the outbox and, if graded, a score.

    All in the caller's transaction, so the events and the grade exist exactly when the
    submission does. Submitting again changes nothing.
    """
    found = _find(db, where, launch.user)
    answers = {k: int(v) for k, v in (found.answers if found else {}).items()}
    if found is None or not is_complete(where.setup, answers):
        raise AnswerError("some competences have no answer yet")
    if found.submitted_at is not None:
        return answers
    now = utcnow()
    context = context_of(launch)
    submission = f"{where.platform_id}\x1f{where.resource_link_id}\x1f{launch.user}"
    for event in events(
        where.setup, answers, submission, profile.actor(launch.user), context, source, now
    ):
        outbox.emit(db, event)
    found.submitted_at, found.role = now, profile.role
    if grades.can_grade(launch):
        score = completion_score(where.setup, answers)
        grades.submit(
            db,
            launch,
            KEY,
            where.framework.title.it,
            grades.Score(score, 1.0),
        )
    return answers


def pre_answers(db: Session, where: Placement, user: str) -> dict[str, int] | None:
    """The learner's submitted pre answers in the same course and framework, if any."""
    found = db.scalar(
        sa.select(AnswerSet)
        .where(
            AnswerSet.platform_id == where.platform_id,
            AnswerSet.context_id == where.context_id,
            AnswerSet.framework_id == where.framework.id,
            AnswerSet.user == user,
            AnswerSet.phase == "pre",
            AnswerSet.submitted_at.is_not(None),
        )
        .order_by(AnswerSet.submitted_at.desc())
        .limit(1)
    )
    return {k: int(v) for k, v in found.answers.items()} if found else None


@dataclass(frozen=True)
class CompetencyLine:
    """One competence in the class view."""

    code: str
    title: Any
    n_pre: int
    mean_pre: float | None
    n_post: int
    mean_post: float | None
    pairs: CellStats


@dataclass(frozen=True)
class ClassView:
    """Who answered and the class averages, small cells suppressed."""

    pre_learners: frozenset[str]
    post_learners: frozenset[str]
    lines: list[CompetencyLine]
    k: int

    @property
    def both(self) -> int:
        """Learners who answered before and after."""
        return len(self.pre_learners & self.post_learners)


def class_view(db: Session, where: Placement, k: int = DEFAULT_K) -> ClassView:
    """Submitted answers of this course and framework, both phases."""
    rows = db.scalars(
        sa.select(AnswerSet).where(
            AnswerSet.platform_id == where.platform_id,
            AnswerSet.context_id == where.context_id,
            AnswerSet.framework_id == where.framework.id,
            AnswerSet.submitted_at.is_not(None),
        )
    ).all()
    latest: dict[tuple[str, str], AnswerSet] = {}
    for row in sorted(rows, key=lambda r: r.submitted_at or utcnow()):
        latest[(row.user, row.phase)] = row  # a later placement of the same phase wins
    lines = []
    top = where.framework.max_level
    for competency in where.setup.asked():
        code = competency.code
        levels: dict[str, dict[str, int]] = {"pre": {}, "post": {}}
        for (user, phase), row in latest.items():
            if code in row.answers:
                levels[phase][user] = int(row.answers[code])
        pre, post = levels["pre"], levels["post"]
        role_of = {user: row.role for (user, phase), row in latest.items() if phase == "post"}
        pairs = [
            Pair(user, code, pre[user], post[user], top, role_of.get(user))
            for user in sorted(pre.keys() & post.keys())
        ]
        lines.append(
            CompetencyLine(
                code,
                competency.title,
                len(pre),
                statistics.fmean(pre.values()) if len(pre) >= k else None,
                len(post),
                statistics.fmean(post.values()) if len(post) >= k else None,
                aggregate(pairs, dict(competency.targets), k),
            )
        )
    return ClassView(
        frozenset(u for (u, p) in latest if p == "pre"),
        frozenset(u for (u, p) in latest if p == "post"),
        lines,
        k,
    )


@dataclass(frozen=True)
class Answered:
    """A learner of the course roster and the phases they submitted."""

    name: str
    pre: bool
    post: bool


def who_answered(view: ClassView, members: list[tuple[str, str]]) -> list[Answered]:
    """The roster's learners, ``(pseudonym, name)``, with what each submitted.

    Names come from the platform's roster at the moment of asking and are never stored:
    the tool keeps pseudonyms only.
    """
    rows = [
        Answered(name or "—", user in view.pre_learners, user in view.post_learners)
        for user, name in members
    ]
    return sorted(rows, key=lambda row: row.name.casefold())


CSV_COLUMNS = (
    "competency",
    "title",
    "n_pre",
    "mean_pre",
    "n_post",
    "mean_post",
    "n_pairs",
    "mean_difference",
    "mean_gain",
    "effect_size",
    "share_reaching_target",
)


def class_csv(view: ClassView, language: str) -> str:
    """The class averages as a spreadsheet; suppressed cells are left empty."""

    def number(value: float | None) -> str:
        return "" if value is None else f"{value:.3f}"

    return csvformat.table(
        list(CSV_COLUMNS),
        [
            [
                line.code,
                line.title.get(language),
                line.n_pre,
                number(line.mean_pre),
                line.n_post,
                number(line.mean_post),
                line.pairs.n,
                number(line.pairs.mean_difference),
                number(line.pairs.mean_gain),
                number(line.pairs.effect_size),
                number(line.pairs.share_reaching_target),
            ]
            for line in view.lines
        ],
    )
