"""The questionnaire's pages inside the course frame. Thin: the work is in services.py.

Every request carries the signed page token the launch issued (no cookie reaches a
third-party frame); it says who is asking and is the forms' CSRF token.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _

from opes_lti.competencies import chart
from opes_lti.competencies.questionnaire import (
    AnswerError,
    progress,
    result,
    resume_at,
    submission_refused,
)
from opes_lti.core.db import session
from opes_lti.learners import services as learners
from opes_lti.lti import pages, roster
from opes_lti.lti.context import context_of
from opes_lti.lti.errors import LaunchError
from opes_lti.lti.framing import embeddable
from opes_lti.lti.launch import Launch, pseudonym
from opes_lti.lti.runtime import base_url, source_name, store
from opes_lti.lti.services import ServiceError
from opes_lti.regions import REGIONS
from opes_lti.selfassessment import services
from opes_lti.selfassessment.services import Placement, PlacementError

bp = Blueprint(
    "selfassessment",
    __name__,
    url_prefix="/selfassessment",
    template_folder="templates",
    static_folder="static",
)
embeddable(bp)


def render(launch: Launch) -> Any:
    """The page a launch opens: class view, profile step, a screen, or the result."""
    token = pages.issue(launch)
    where = _placement(launch)
    db = session()
    if launch.is_instructor:
        return _class_page(where, launch, token)
    profile = learners.get(db, launch.user)
    if profile is None:
        return _profile_page(launch, token, learners.prefill(launch.custom), first=True)
    return _next_page(where, launch, token)


def _placement(launch: Launch) -> Placement:
    try:
        return services.placement(session(), launch)
    except PlacementError as exc:
        raise LaunchError("bad_setup", str(exc)) from None


def _next_page(
    where: Placement, launch: Launch, token: str, screen: int | None = None, **extra: Any
) -> Any:
    db = session()
    answers, submitted = services.answers_of(db, where, launch.user)
    if submitted:
        return _result_page(where, launch, token, answers)
    screens = where.setup.screens()
    index = resume_at(where.setup, answers) if screen is None else screen
    index = max(0, min(index, len(screens) - 1))
    answered, total = progress(where.setup, answers)
    return render_template(
        "selfassessment/screen.html",
        token=token,
        where=where,
        framework=where.framework,
        screen=screens[index],
        screens=len(screens),
        answers=answers,
        answered=answered,
        total=total,
        lang=launch.locale,
        **extra,
    )


def _profile_page(
    launch: Launch, token: str, profile: learners.Profile, first: bool = False, error: str = ""
) -> Any:
    return render_template(
        "selfassessment/profile.html",
        token=token,
        profile=profile,
        regions=sorted(REGIONS.items(), key=lambda item: item[1]),
        first=first,
        error=error,
    ), (400 if error else 200)


def _result_page(where: Placement, launch: Launch, token: str, answers: dict[str, int]) -> str:
    db = session()
    profile = learners.get(db, launch.user) or learners.Profile()
    pre = services.pre_answers(db, where, launch.user) if where.setup.phase == "post" else None
    rows = result(where.setup, answers, profile.role, pre)
    labels = chart.Labels(
        title=_("My competence profile"),
        description=_(
            "Bars show the level you chose for each competence on a scale of 1 to "
            "%(max)s; lines mark the level expected for your role; thin bars show your "
            "level before the course. The table below gives the same values.",
            max=where.framework.max_level,
        ),
        level=_("Your level"),
        pre=_("Before"),
        target=_("Expected"),
    )
    return render_template(
        "selfassessment/result.html",
        token=token,
        framework=where.framework,
        phase=where.setup.phase,
        rows=rows,
        has_pre=pre is not None,
        svg=chart.bars(rows, where.framework.max_level, launch.locale, labels),
        profile=profile,
        lang=launch.locale,
    )


def _roster(launch: Launch) -> list[tuple[str, str]] | None:
    """(pseudonym, name) of the course's learners, or None without a roster service."""
    if not roster.has_roster(launch):
        return None
    try:
        members = roster.fetch(session(), store(), launch)
    except ServiceError as exc:
        current_app.logger.warning("course roster unavailable: %s", exc)
        return None
    return [(pseudonym(launch.platform.issuer, m.user_id), m.name) for m in members if m.is_learner]


def _class_page(where: Placement, launch: Launch, token: str) -> str:
    view = services.class_view(session(), where)
    members = _roster(launch)
    return render_template(
        "selfassessment/class.html",
        token=token,
        framework=where.framework,
        phase=where.setup.phase,
        view=view,
        answered=services.who_answered(view, members) if members is not None else None,
        lang=launch.locale,
        reporting_url=base_url() + "/",
    )


@bp.post("/profile")
def profile() -> Any:
    """Save the profile step (any field may be skipped), then go on to the questions."""
    launch, token = pages.recall()
    with force_locale(launch.locale):
        if request.form.get("action") == "edit":
            current = learners.get(session(), launch.user) or learners.Profile()
            return _profile_page(launch, token, current)
        try:
            cleaned = (
                learners.Profile()
                if request.form.get("action") == "skip"
                else learners.clean(request.form)
            )
        except learners.ProfileError as exc:
            message = {
                "role": _("Choose a role from the list."),
                "organisation": _("The organisation's name can be at most 200 characters."),
                "region": _("Choose a region from the list."),
            }[exc.field]
            return _profile_page(launch, token, learners.prefill({}), error=message)
        db = session()
        learners.save(db, launch.user, cleaned, context_of(launch), source_name())
        db.commit()
        return _next_page(_placement(launch), launch, token)


def _given(form: Any, screen_codes: list[str]) -> dict[str, Any]:
    return {code: form.get(f"level-{code}") for code in screen_codes if f"level-{code}" in form}


@bp.post("/screen")
def screen() -> Any:
    """A screen's answers, then the page asked for: previous, next, or the submission."""
    launch, token = pages.recall()
    with force_locale(launch.locale):
        where = _placement(launch)
        screens = where.setup.screens()
        try:
            index = int(request.form.get("screen", "0"))
        except ValueError:
            index = 0
        index = max(0, min(index, len(screens) - 1))
        codes = [c.code for c in screens[index].competencies]
        db = session()
        try:
            answers = services.save(db, where, launch.user, _given(request.form, codes))
        except AnswerError as exc:
            db.rollback()
            current_app.logger.info("self-assessment answer refused: %s", exc)
            message = _("That answer could not be saved: choose one of the levels shown.")
            return _next_page(where, launch, token, index, error=message), 400
        action = request.form.get("nav", "next")
        if action == "submit" or (action == "next" and index == len(screens) - 1):
            profile = learners.get(db, launch.user) or learners.Profile()
            refused = submission_refused(where.setup, answers, profile.organisation)
            if refused == "incomplete":
                db.commit()
                return _next_page(
                    where, launch, token, None, error=_("Some competences have no answer yet.")
                ), 400
            if refused == "needs_organisation":
                db.commit()
                return _profile_page(
                    launch,
                    token,
                    profile,
                    error=_("An assessment of your organisation needs its name: add it here."),
                )
            services.submit(db, where, launch, profile, source_name())
            db.commit()
            return _result_page(where, launch, token, answers)
        db.commit()
        step = -1 if action == "prev" else 1
        return _next_page(where, launch, token, index + step)


@bp.post("/save")
def save() -> Response | tuple[Response, int]:
    """Answers saved as the learner goes (the page's script); JSON in and out."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
        return jsonify(error="expected {token, answers: {code: level}}"), 400
    launch = pages.recall_json(body)
    with force_locale(launch.locale):
        where = _placement(launch)
        db = session()
        try:
            answers = services.save(db, where, launch.user, body["answers"])
        except AnswerError as exc:
            db.rollback()
            return jsonify(error=str(exc)), 400
        db.commit()
        answered, total = progress(where.setup, answers)
        return jsonify(answered=answered, total=total)


@bp.post("/class.csv")
def class_csv() -> Response:
    """The class averages as a spreadsheet, for instructors."""
    launch, _token = pages.recall()
    if not launch.is_instructor:
        abort(403)
    where = _placement(launch)
    body = services.class_csv(services.class_view(session(), where), launch.locale)
    name = f"{where.framework.id}-{where.setup.phase}.csv"
    return Response(
        "\ufeff" + body,  # Excel reads UTF-8 only with its mark
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
