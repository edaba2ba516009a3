"""The competency self-assessment as an Open edX XBlock.

The questionnaire itself (screens, answers, result, events) is
:mod:`opes_lti.competencies.questionnaire`, shared with the LTI activity; this module keeps
its state in XBlock fields and draws it in the LMS.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import requests
from web_fragments.fragment import Fragment
from webob import Response
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Boolean, Dict, Float, Integer, List, Scope, String
from xblock.utils.resources import ResourceLoader

from opes_lti.competencies import builtin, case, chart, csvformat
from opes_lti.competencies.framework import CODE, Framework, FrameworkError
from opes_lti.competencies.questionnaire import (
    DISPLAYS,
    PHASES,
    AnswerError,
    Setup,
    completion_score,
    events,
    is_complete,
    parse_areas,
    progress,
    record,
    result,
    resume_at,
)
from opes_lti.events.delivery import (
    OutboxItem,
    ReportingClient,
    TransientFailure,
    backoff_delay,
)
from opes_lti.events.domain import Context, canonical_json
from opes_lti.learners.profile import Profile, ProfileError, clean
from opes_lti.regions import REGIONS
from opes_xblocks.i18n import _, current_language, gettext_for, strings

log = logging.getLogger(__name__)
loader = ResourceLoader(__name__)
UPLOADED = "uploaded"
#: Studio's value for a framework taken from the tool service: "tool:<id>".
FROM_TOOL = "tool:"
#: Events kept for a learner while the reporting service is unreachable.
MAX_PENDING = 500
K = 5
#: One stylesheet serves the LTI pages and the block; read once, like the scripts.
CSS = (
    resources.files("opes_lti.selfassessment")
    .joinpath("static/selfassessment.css")
    .read_text(encoding="utf-8")
)
STUDENT_JS = loader.load_unicode("static/js/selfassessment.js")
STUDIO_JS = loader.load_unicode("static/js/studio.js")
#: Parsed uploaded frameworks by the SHA-256 of their file, and drawn screens by block,
#: language and settings: parsing and drawing were most of a render's time.
_FRAMEWORKS: dict[str, Framework] = {}
_SCREENS: dict[tuple[str, ...], str] = {}
CACHE_SIZE = 256
_ANSWER = re.compile(r' data-answer="([^"]*):(\d+)"')


@cache
def _template(name: str) -> Any:
    """A template of this package, compiled once.

    xblock-utils' loader compiles it again and scans every installed tag library on each
    render, which was half the block's render time.
    """
    from django.template import Engine

    return Engine().from_string(loader.load_unicode(name))


def _render(name: str, context: dict[str, Any]) -> str:
    from django.template import Context

    return _template(name).render(Context(context))


def _outbox_installed() -> bool:
    """Whether the LMS runs the blocks' outbox app (the durable way events leave)."""
    from django.apps import apps

    return apps.is_installed("opes_xblocks.outbox")


def _remember[V](cache: dict[Any, V], key: Any, value: V) -> V:
    if len(cache) >= CACHE_SIZE:
        cache.pop(next(iter(cache)))  # the oldest entry
    cache[key] = value
    return value


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a pseudonymous id for events, and whether they are course staff."""

    pseudonym: str
    is_staff: bool


@XBlock.needs("user")
@XBlock.wants("settings")
@XBlock.wants("i18n")
class SelfAssessmentXBlock(XBlock):
    """A pre or post self-assessment against a competency framework."""

    display_name = String(
        display_name=_("Display name"),
        default=_("Competency self-assessment"),
        scope=Scope.settings,
    )
    framework = String(
        display_name=_("Competency framework"),
        help=_("A framework shipped with OPES, or 'uploaded' for the file below."),
        default=builtin.DEFAULT,
        scope=Scope.settings,
    )
    framework_file = String(
        display_name=_("Framework file (CASE JSON)"),
        default="",
        scope=Scope.settings,
    )
    phase = String(display_name=_("Phase"), default="pre", values=PHASES, scope=Scope.settings)
    areas = List(display_name=_("Areas to ask"), default=[], scope=Scope.settings)
    display = String(
        display_name=_("On each screen"),
        default="competency",
        values=DISPLAYS,
        scope=Scope.settings,
    )
    weight = Float(display_name=_("Weight in the course grade"), default=1.0, scope=Scope.settings)

    answers = Dict(default={}, scope=Scope.user_state)
    submitted = Boolean(default=False, scope=Scope.user_state)
    #: Outcome events not yet accepted by the reporting service (the learner's outbox).
    pending_events = List(default=[], scope=Scope.user_state)
    #: Failed sending attempts in a row, and when (epoch seconds) to try again.
    events_attempts = Integer(default=0, scope=Scope.user_state)
    events_retry_at = Float(default=0.0, scope=Scope.user_state)
    #: {phase: {"learners": n, "sums": {code: s}, "counts": {code: n}}}
    summary = Dict(default={}, scope=Scope.user_state_summary)
    #: The profile, shared by every OPES block the learner meets.
    profile = Dict(default={}, scope=Scope.preferences)
    #: Submitted answers by "course/framework/phase", so a post block finds the pre ones.
    history = Dict(default={}, scope=Scope.preferences)

    has_score = True
    completion_mode = XBlockCompletionMode.COMPLETABLE
    icon_class = "problem"
    editable_fields = ("display_name", "framework", "phase", "areas", "display", "weight")

    # --- set-up -------------------------------------------------------------------------

    def _framework(self) -> Framework:
        if self.framework != UPLOADED:
            return builtin.load(self.framework)
        key = hashlib.sha256(self.framework_file.encode()).hexdigest()
        found = _FRAMEWORKS.get(key)
        return (
            found
            if found is not None
            else _remember(_FRAMEWORKS, key, case.loads(self.framework_file))
        )

    def _setup(self) -> Setup:
        framework = self._framework()
        return Setup(framework, self.phase, parse_areas(self.areas, framework), self.display)

    def _viewer(self) -> Viewer:
        user = self.runtime.service(self, "user").get_current_user()
        attrs = getattr(user, "opt_attrs", {}) or {}
        raw = (
            attrs.get("edx-platform.anonymous_user_id")
            or attrs.get("xblock-workbench.user_id")
            or self.scope_ids.user_id
        )
        staff = bool(attrs.get("edx-platform.user_is_staff")) or bool(
            getattr(self.runtime, "user_is_staff", False)
        )
        return Viewer(hashlib.sha256(f"openedx\x1f{raw}".encode()).hexdigest(), staff)

    def _settings(self) -> dict[str, Any]:
        service = self.runtime.service(self, "settings")
        return (service.get_settings_bucket(self) if service else None) or {}

    def max_score(self) -> float:
        """A completed self-assessment is worth the whole of its weight."""
        return 1.0

    def _course(self) -> str:
        return str(getattr(self.runtime, "course_id", "") or "")

    def _history_key(self, framework: Framework, phase: str) -> str:
        return f"{self._course()}/{framework.id}/{phase}"

    def _profile(self) -> Profile | None:
        if not self.profile.get("set"):
            return None
        return Profile(
            self.profile.get("role"), self.profile.get("organisation"), self.profile.get("region")
        )

    # --- views --------------------------------------------------------------------------

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The questionnaire, or the result once submitted; the class view for staff."""
        lang = current_language()
        text = strings(lang)
        fragment = Fragment()
        try:
            setup = self._setup()
        except (KeyError, FrameworkError) as exc:
            reason = str(exc)[:300]
            fragment.add_content(
                _render(
                    "templates/misconfigured.html",
                    {"message": text["misconfigured"].format(reason=reason)},
                )
            )
            return fragment
        if self.pending_events:
            self._flush_events()
        viewer = self._viewer()
        answers = self._answers()
        answered, total = progress(setup, answers)
        resume = resume_at(setup, answers)
        body = {
            "t": text,
            "lang": lang,
            "framework": setup.framework,
            "framework_title": setup.framework.title.get(lang),
            "screens_html": "" if self.submitted else self._screens_html(setup, lang, resume),
            "screen_count": len(setup.screens()),
            "resume": resume,
            "answered": answered,
            "total": total,
            "phase_intro": text["pre_intro" if setup.phase == "pre" else "post_intro"],
            "submitted": self.submitted,
            "result_html": self._result_html(setup, lang) if self.submitted else "",
            "needs_profile": self._profile() is None and not self.submitted,
            "profile": self._profile() or Profile(),
            "regions": sorted(REGIONS.items(), key=lambda item: item[1]),
            "roles": [
                ("manager", text["role_manager"]),
                ("volunteer", text["role_volunteer"]),
                ("staff", text["role_staff"]),
            ],
            "class_view": self._class_view(setup, lang) if viewer.is_staff else None,
            "block_id": self._dom_id(),
        }
        fragment.add_content(_render("templates/student.html", body))
        fragment.add_css(CSS)
        fragment.add_javascript(STUDENT_JS)
        fragment.initialize_js(
            "OpesSelfAssessment",
            {
                "strings": text,
                "resume": body["resume"],
                "answered": answered,
                "total": total,
                "screens": body["screen_count"],
            },
        )
        return fragment

    def _answers(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.answers.items()}

    def _screens_html(self, setup: Setup, lang: str, resume: int) -> str:
        """The screens for this learner: their answers checked, their current screen shown.

        They are drawn once per block, language and settings and kept.
        """
        block_id = self._dom_id()
        framework = setup.framework
        key = (
            block_id,
            lang,
            framework.id,
            framework.version,
            hashlib.sha256(self.framework_file.encode()).hexdigest(),
            setup.display,
            ",".join(setup.areas),
        )
        drawn = _SCREENS.get(key)
        if drawn is None:
            drawn = _remember(
                _SCREENS,
                key,
                _render(
                    "templates/screens.html",
                    {
                        "t": strings(lang),
                        "block_id": block_id,
                        "screens": self._screens(setup, lang),
                        "screen_count": len(setup.screens()),
                    },
                ),
            )
        answers = self._answers()
        marked = _ANSWER.sub(
            lambda m: " checked" if answers.get(m.group(1)) == int(m.group(2)) else "", drawn
        )
        return marked.replace(f'data-screen="{resume}" hidden', f'data-screen="{resume}"', 1)

    def _dom_id(self) -> str:
        return str(self.scope_ids.usage_id).replace(".", "-").replace(":", "-")

    def _screens(self, setup: Setup, lang: str) -> list[dict[str, Any]]:
        framework = setup.framework
        return [
            {
                "index": screen.index,
                "number": screen.index + 1,
                "area": screen.area.title.get(lang),
                "competencies": [
                    {
                        "code": competency.code,
                        "dom": competency.code.replace(".", "-"),
                        "title": competency.title.get(lang),
                        "description": competency.description.get(lang),
                        "levels": [
                            {
                                "value": level,
                                "name": framework.levels[level - 1].get(lang),
                                "descriptor": descriptor.get(lang),
                            }
                            for level, descriptor in enumerate(competency.descriptors, start=1)
                        ],
                    }
                    for competency in screen.competencies
                ],
            }
            for screen in setup.screens()
        ]

    def _result_html(self, setup: Setup, lang: str) -> str:
        text = strings(lang)
        profile = self._profile() or Profile()
        pre = None
        if setup.phase == "post":
            pre = self.history.get(self._history_key(setup.framework, "pre"))
        rows = result(setup, self._answers(), profile.role, pre)
        labels = chart.Labels(
            text["result_title"],
            text["chart_description"],
            text["your_level"],
            text["before"],
            text["expected_short"],
        )
        framework = setup.framework
        return _render(
            "templates/result.html",
            {
                "t": text,
                "svg": chart.bars(rows, framework.max_level, lang, labels),
                "has_pre": pre is not None,
                "show_no_pre": setup.phase == "post" and pre is None,
                "rows": [
                    {
                        "title": row.competency.title.get(lang),
                        "level": row.level,
                        "level_name": framework.levels[row.level - 1].get(lang),
                        "target": row.target,
                        "reached": row.reaches_target,
                        "pre": row.pre,
                        "difference": (None if row.difference is None else f"{row.difference:+d}"),
                    }
                    for row in rows
                ],
            },
        )

    def _class_view(self, setup: Setup, lang: str) -> dict[str, Any]:
        text = strings(lang)
        mine = self.summary.get(setup.phase, {})
        lines = []
        for _area, competency in setup.items():
            count = int(mine.get("counts", {}).get(competency.code, 0))
            total = float(mine.get("sums", {}).get(competency.code, 0))
            lines.append(
                {
                    "title": competency.title.get(lang),
                    "count": count,
                    "mean": f"{total / count:.1f}" if count >= K else "—",
                }
            )
        return {
            "learners": text["class_learners"].format(n=int(mine.get("learners", 0))),
            "empty": not mine.get("learners"),
            "lines": lines,
            "suppressed": text["class_suppressed"].format(k=K),
        }

    def studio_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The designer's settings: framework, phase, areas, display, weight."""
        lang = current_language()
        text = strings(lang)
        frameworks = builtin.all_frameworks()
        try:
            current = self._framework()
        except (KeyError, FrameworkError):
            current = builtin.load(builtin.DEFAULT)
        offered, tool_error = self._tool_frameworks()
        fragment = Fragment(
            _render(
                "templates/studio.html",
                {
                    "t": text,
                    "display_name": self.display_name,
                    "frameworks": [(f.id, f.title.get(lang)) for f in frameworks]
                    + [
                        (FROM_TOOL + item["id"], f"{item['title']} ({text['studio_from_tool']})")
                        for item in offered
                    ],
                    "tool_error": tool_error,
                    "framework": self.framework,
                    "uploaded": UPLOADED,
                    "framework_file": self.framework_file,
                    "phase": self.phase,
                    "areas": [
                        (a.code, a.title.get(lang), a.code in self.areas) for a in current.areas
                    ],
                    "display": self.display,
                    "weight": self.weight,
                },
            )
        )
        fragment.add_css(CSS)
        fragment.add_javascript(STUDIO_JS)
        fragment.initialize_js("OpesSelfAssessmentStudio", {"strings": text})
        return fragment

    def _tool_frameworks(self) -> tuple[list[dict[str, str]], bool]:
        """Frameworks added to the OPES tool, and whether a configured tool was unreachable.

        The tool lists them at ``TOOL_URL/frameworks/index.json``.
        """
        url = str(self._settings().get("TOOL_URL") or "").rstrip("/")
        if not url:
            return [], False
        try:
            response = requests.get(url + "/frameworks/index.json", timeout=5)
            response.raise_for_status()
            items = response.json()["frameworks"]
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            log.warning("OPES tool frameworks not listed: %s", exc)
            return [], True
        return [
            {"id": str(i["id"]), "title": str(i.get("title") or i["id"])}
            for i in items
            if isinstance(i, dict) and not i.get("shipped") and CODE.match(str(i.get("id")))
        ], False

    def _fetch_from_tool(self, framework_id: str) -> str:
        """The CASE file of a framework added to the tool.

        The block keeps a copy, so the course and its OLX export do not depend on the tool
        staying reachable.
        """
        url = str(self._settings().get("TOOL_URL") or "").rstrip("/")
        if not url or not CODE.match(framework_id):
            raise self._refuse(f"framework: the OPES tool does not offer {framework_id!r}")
        try:
            response = requests.get(f"{url}/frameworks/{framework_id}.json", timeout=10)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise self._refuse(f"framework: the OPES tool did not answer ({exc})") from None
        return response.text

    def student_view_data(self, context: dict[str, Any] | None = None) -> dict[str, Any]:
        """What the mobile apps need to draw the questionnaire themselves."""
        lang = current_language()
        setup = self._setup()
        framework = setup.framework
        return {
            "framework": {
                "id": framework.id,
                "version": framework.version,
                "title": framework.title.get(lang),
                "levels": [level.get(lang) for level in framework.levels],
            },
            "phase": setup.phase,
            "display": setup.display,
            "screens": [
                {
                    "area": screen.area.title.get(lang),
                    "competencies": [
                        {
                            "code": c.code,
                            "title": c.title.get(lang),
                            "description": c.description.get(lang),
                            "descriptors": [d.get(lang) for d in c.descriptors],
                        }
                        for c in screen.competencies
                    ],
                }
                for screen in setup.screens()
            ],
            "answers": self._answers(),
            "submitted": self.submitted,
        }

    # --- handlers -----------------------------------------------------------------------

    def _refuse(self, message: str, status: int = 400) -> JsonHandlerError:
        return JsonHandlerError(status, message)

    @XBlock.json_handler
    def save_profile(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Store the profile step (every field may be skipped)."""
        if not isinstance(data, dict):
            raise self._refuse("expected an object")
        try:
            profile = Profile() if data.get("skip") else clean(data)
        except ProfileError as exc:
            raise self._refuse(f"{exc.field}: {exc}") from None
        self.profile = {"set": True, **profile.as_dict()}
        return {"ok": True}

    @XBlock.json_handler
    def save_answers(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Answers saved as the learner goes."""
        if self.submitted:
            raise self._refuse("these answers were already submitted", 409)
        given = data.get("answers") if isinstance(data, dict) else None
        if not isinstance(given, dict):
            raise self._refuse("expected {answers: {code: level}}")
        setup = self._setup()
        try:
            self.answers = record(setup, self._answers(), given)
        except AnswerError as exc:
            raise self._refuse(str(exc)) from None
        answered, total = progress(setup, self._answers())
        return {"answered": answered, "total": total}

    @XBlock.json_handler
    def submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Close the answers: grade, completion, outcome events, the class summary."""
        setup = self._setup()
        lang = current_language()
        if self.submitted:
            return {"html": self._result_html(setup, lang)}
        answers = self._answers()
        if not is_complete(setup, answers):
            raise self._refuse(gettext_for(lang, "Some competences have no answer yet."))
        profile = self._profile() or Profile()
        if setup.framework.scope == "organisation" and not profile.organisation:
            raise self._refuse(
                gettext_for(lang, "An assessment of your organisation needs its name: add it here.")
            )
        viewer = self._viewer()
        settings = self._settings()
        context = Context(
            platform="openedx",
            platform_id=str(settings.get("PLATFORM_ID") or "")[:200] or None,
            course=self._course()[:200] or None,
            activity=str(self.scope_ids.usage_id)[:200],
        )
        made = events(
            setup,
            answers,
            f"{self.scope_ids.usage_id}\x1f{viewer.pseudonym}",
            profile.actor(viewer.pseudonym),
            context,
            str(settings.get("SOURCE_NAME") or "openedx"),
            datetime.now(UTC),
        )
        if _outbox_installed():
            # The LMS's own outbox table: the events leave even if the learner never
            # comes back (opes_send_events), and at once below when the service answers.
            from opes_xblocks.outbox.store import DjangoOutbox

            DjangoOutbox().emit_all(made)
        else:
            self.pending_events = (self.pending_events + [canonical_json(e) for e in made])[
                -MAX_PENDING:
            ]
        self.submitted = True
        history = dict(self.history)
        history[self._history_key(setup.framework, setup.phase)] = answers
        self.history = history
        self._add_to_summary(setup.phase, answers)
        self.runtime.publish(
            self, "grade", {"value": completion_score(setup, answers), "max_value": 1.0}
        )
        self.runtime.publish(self, "completion", {"completion": 1.0})
        self._send_now()
        return {"html": self._result_html(setup, lang)}

    def _add_to_summary(self, phase: str, answers: dict[str, int]) -> None:
        summary = json.loads(json.dumps(self.summary))  # a copy XBlock sees as changed
        mine = summary.setdefault(phase, {"learners": 0, "sums": {}, "counts": {}})
        mine["learners"] += 1
        for code, level in answers.items():
            mine["sums"][code] = mine["sums"].get(code, 0) + level
            mine["counts"][code] = mine["counts"].get(code, 0) + 1
        self.summary = summary

    def _send_now(self) -> None:
        """One quick delivery round after a submission; what fails waits for the sender."""
        if not _outbox_installed():
            self._flush_events()
            return
        from opes_xblocks.outbox.store import dispatcher

        sender = dispatcher(self._settings())
        if sender is not None:
            sender.client.timeout = 5.0
            report = sender.run_once()
            if report.failure:
                log.info("OPES events kept for opes_send_events: %s", report.failure)

    def _flush_events(self) -> None:
        """Send this learner's pending events; what cannot go now waits, with backoff.

        Called on submit and whenever the learner opens the block again (their result
        page), so events held back by an outage leave at the learner's next visit.
        """
        settings = self._settings()
        if not self.pending_events or not settings.get("REPORTING_URL"):
            return
        now = time.time()
        if now < self.events_retry_at:
            return
        client = ReportingClient(
            settings["REPORTING_URL"], settings.get("REPORTING_TOKEN", ""), timeout=5.0
        )
        items = [OutboxItem(json.loads(body)["id"], body, 0) for body in self.pending_events]
        try:
            results = client.send(items)
        except TransientFailure as exc:
            self.events_attempts += 1
            self.events_retry_at = now + backoff_delay(self.events_attempts, base=30.0, cap=3600.0)
            log.info("OPES reporting service not reached, events kept: %s", exc)
            return
        self.events_attempts, self.events_retry_at = 0, 0.0
        kept = []
        for item in items:
            status = results.get(item.event_id, {}).get("status")
            if status in ("accepted", "duplicate"):
                continue
            if status in ("rejected", "conflict"):
                log.warning("OPES event %s refused: %s", item.event_id, results[item.event_id])
                continue
            kept.append(item.body)
        self.pending_events = kept

    @XBlock.handler
    def class_csv(self, request: Any, suffix: str = "") -> Response:
        """The class averages of this block as a spreadsheet, for course staff."""
        if not self._viewer().is_staff:
            return Response(status=403)
        lang = current_language()
        setup = self._setup()
        view = self._class_view(setup, lang)
        body = csvformat.table(
            ["competency", "title", "answers", "mean"],
            [
                [competency.code, line["title"], line["count"], line["mean"].replace("—", "")]
                for (_area, competency), line in zip(setup.items(), view["lines"], strict=True)
            ],
        )
        return Response(
            body=("\ufeff" + body).encode("utf-8"),
            content_type="text/csv",
            charset="utf-8",
            content_disposition=f'attachment; filename="{setup.framework.id}-{setup.phase}.csv"',
        )

    @XBlock.json_handler
    def studio_submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Validate and store the designer's settings; nothing is stored if any is wrong."""
        if not isinstance(data, dict):
            raise self._refuse("expected an object")
        problems: list[str] = []
        framework_id = str(data.get("framework") or builtin.DEFAULT)
        framework_file = str(data.get("framework_file") or "")
        framework: Framework | None = None
        if framework_id.startswith(FROM_TOOL):
            framework_file = self._fetch_from_tool(framework_id.removeprefix(FROM_TOOL))
            framework_id = UPLOADED
        if framework_id == UPLOADED:
            try:
                framework = case.loads(framework_file)
            except FrameworkError as exc:
                problems.extend(str(p) for p in exc.problems[:20])
        elif framework_id in builtin.NAMES:
            framework = builtin.load(framework_id)
            framework_file = ""
        else:
            problems.append(f"framework: unknown {framework_id!r}")
        phase, display = str(data.get("phase")), str(data.get("display"))
        if phase not in PHASES:
            problems.append("phase: pre or post")
        if display not in DISPLAYS:
            problems.append("display: competency or area")
        try:
            weight = float(data.get("weight", 1.0))
            if not 0 <= weight <= 100:
                raise ValueError
        except (TypeError, ValueError):
            problems.append("weight: a number from 0 to 100")
            weight = 1.0
        name = str(data.get("display_name") or "").strip()[:200]
        if not name:
            problems.append("display_name: empty")
        if problems:
            raise self._refuse("; ".join(problems))
        assert framework is not None  # noqa: S101 - problems would be non-empty otherwise
        self.display_name = name
        self.framework = framework_id
        self.framework_file = framework_file
        self.phase = phase
        self.display = display
        self.weight = weight
        self.areas = list(parse_areas(data.get("areas") or [], framework))
        return {"ok": True}

    # --- reports and scenarios ----------------------------------------------------------

    def generate_report_data(
        self, user_state_iterator: Any, limit_responses: int | None = None
    ) -> Any:
        """Rows for Open edX's learner-response report: one per learner who answered."""
        count = 0
        for user_state in user_state_iterator:
            state = user_state.state or {}
            answers = state.get("answers") or {}
            if not answers:
                continue
            if limit_responses is not None and count >= limit_responses:
                return
            count += 1
            yield (
                user_state.username,
                {
                    "Phase": self.phase,
                    "Framework": self.framework,
                    "Submitted": bool(state.get("submitted")),
                    "Answers": "; ".join(f"{k}={v}" for k, v in sorted(answers.items())),
                },
            )

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        """Pre and post placements, one competence or one area per screen."""
        return [
            (
                "OPES self-assessment (pre, one competence per screen)",
                loader.load_unicode("scenarios/pre.xml"),
            ),
            (
                "OPES self-assessment (post, one area per screen)",
                loader.load_unicode("scenarios/post.xml"),
            ),
        ]
