"""The competency self-assessment as an Open edX XBlock: its fields, handlers and views.

The questionnaire (screens, answers, result, events, the rules of set-up and
submission) is :mod:`opes_lti.competencies.questionnaire`, shared with the LTI
activity; what the pages show is :mod:`.viewmodels`; what every OPES block needs is
:class:`~opes_xblocks.base.OpesBlock`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from typing import Any

from web_fragments.fragment import Fragment
from webob import Response
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, Float, List, Scope, String

from opes_lti.competencies import builtin, csvformat
from opes_lti.competencies import questionnaire as q
from opes_lti.competencies.framework import Framework, FrameworkError
from opes_lti.learners.profile import Profile, ProfileError, clean
from opes_lti.regions import REGIONS
from opes_xblocks.base import OpesBlock, answer, loader, refuse, render, resource
from opes_xblocks.i18n import _, current_language, gettext_for, strings
from opes_xblocks.selfassessment import frameworks, pages, studio, viewmodels

#: One stylesheet serves the LTI pages and the block.
CSS = (
    resources.files("opes_lti.selfassessment")
    .joinpath("static/selfassessment.css")
    .read_text(encoding="utf-8")
)


class SelfAssessmentXBlock(OpesBlock):
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
        display_name=_("Framework file (CASE JSON)"), default="", scope=Scope.settings
    )
    phase = String(display_name=_("Phase"), default="pre", values=q.PHASES, scope=Scope.settings)
    areas = List(display_name=_("Areas to ask"), default=[], scope=Scope.settings)
    display = String(
        display_name=_("On each screen"),
        default="competency",
        values=q.DISPLAYS,
        scope=Scope.settings,
    )
    weight = Float(display_name=_("Weight in the course grade"), default=1.0, scope=Scope.settings)

    answers = Dict(default={}, scope=Scope.user_state)
    submitted = Boolean(default=False, scope=Scope.user_state)
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

    def max_score(self) -> float:
        """A completed self-assessment is worth the whole of its weight."""
        return 1.0

    # --- state ----------------------------------------------------------------------------

    def _setup(self) -> q.Setup:
        framework = frameworks.load(self.framework, self.framework_file)
        return q.configure(framework, self.phase, self.display, self.areas)

    def _answers(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.answers.items()}

    def _profile(self) -> Profile | None:
        if not self.profile.get("set"):
            return None
        return Profile(
            self.profile.get("role"), self.profile.get("organisation"), self.profile.get("region")
        )

    def _history_key(self, framework: Framework, phase: str) -> str:
        return f"{self.course()}/{framework.id}/{phase}"

    # --- views ----------------------------------------------------------------------------

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The questionnaire, or the result once submitted; the class view for staff."""
        lang = current_language()
        text = strings(lang)
        try:
            setup = self._setup()
        except (KeyError, FrameworkError, q.SetupError) as exc:
            message = text["misconfigured"].format(reason=str(exc)[:300])
            return Fragment(render("templates/misconfigured.html", {"message": message}))
        self.send_pending()
        answers = self._answers()
        answered, total = q.progress(setup, answers)
        resume = q.resume_at(setup, answers)
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
            "roles": [(r, text[f"role_{r}"]) for r in ("manager", "volunteer", "staff")],
            "class_view": (
                viewmodels.class_view(setup, self.summary, lang, text)
                if self.viewer().is_staff
                else None
            ),
            "block_id": self.dom_id(),
        }
        fragment = Fragment(render("templates/student.html", body))
        fragment.add_css(CSS)
        fragment.add_javascript(resource("static/js/handlers.js"))
        fragment.add_javascript(resource("static/js/selfassessment.js"))
        fragment.initialize_js(
            "OpesSelfAssessment",
            {
                "strings": text,
                "resume": resume,
                "answered": answered,
                "total": total,
                "screens": body["screen_count"],
            },
        )
        return fragment

    def _screens_html(self, setup: q.Setup, lang: str, resume: int) -> str:
        return pages.screens(
            self.dom_id(),
            setup,
            frameworks.fingerprint(self.framework_file),
            lang,
            self._answers(),
            resume,
        )

    def _result_html(self, setup: q.Setup, lang: str) -> str:
        pre = None
        if setup.phase == "post":
            pre = self.history.get(self._history_key(setup.framework, "pre"))
        view = viewmodels.outcome(
            setup, self._answers(), self._profile() or Profile(), pre, lang, strings(lang)
        )
        return render("templates/result.html", view)

    def studio_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The designer's settings: framework, phase, areas, display, weight."""
        lang = current_language()
        text = strings(lang)
        try:
            current = frameworks.load(self.framework, self.framework_file)
        except (KeyError, FrameworkError):
            current = builtin.load(builtin.DEFAULT)
        values = {name: getattr(self, name) for name in (*self.editable_fields, "framework_file")}
        shown = studio.form(current, values, self.tool(), lang, text)
        fragment = Fragment(render("templates/studio.html", shown))
        fragment.add_css(CSS)
        fragment.add_javascript(resource("static/js/handlers.js"))
        fragment.add_javascript(resource("static/js/studio.js"))
        fragment.initialize_js("OpesSelfAssessmentStudio", {"strings": text})
        return fragment

    def student_view_data(self, context: dict[str, Any] | None = None) -> dict[str, Any]:
        """What the mobile apps need to draw the questionnaire themselves."""
        setup = self._setup()
        return viewmodels.mobile(setup, self._answers(), self.submitted, current_language())

    # --- handlers -------------------------------------------------------------------------

    @XBlock.json_handler
    def save_profile(self, data: Any, suffix: str = "") -> dict[str, Any] | Response:
        """Store the profile step (every field may be skipped)."""
        if not isinstance(data, dict):
            return refuse("expected an object")
        try:
            profile = Profile() if data.get("skip") else clean(data)
        except ProfileError as exc:
            return refuse(f"{exc.field}: {exc}")
        self.profile = {"set": True, **profile.as_dict()}
        return answer()

    @XBlock.json_handler
    def save_answers(self, data: Any, suffix: str = "") -> dict[str, Any] | Response:
        """Answers saved as the learner goes."""
        if self.submitted:
            return refuse("these answers were already submitted", status=409)
        given = data.get("answers") if isinstance(data, dict) else None
        if not isinstance(given, dict):
            return refuse("expected {answers: {code: level}}")
        setup = self._setup()
        try:
            self.answers = q.record(setup, self._answers(), given)
        except q.AnswerError as exc:
            return refuse(str(exc))
        answered, total = q.progress(setup, self._answers())
        return answer(answered=answered, total=total)

    @XBlock.json_handler
    def submit(self, data: Any, suffix: str = "") -> dict[str, Any] | Response:
        """Close the answers: grade, completion, outcome events, the class summary."""
        setup = self._setup()
        lang = current_language()
        if self.submitted:
            return answer(html=self._result_html(setup, lang))
        answers = self._answers()
        profile = self._profile() or Profile()
        refused = q.submission_refused(setup, answers, profile.organisation)
        if refused == "incomplete":
            return refuse(gettext_for(lang, "Some competences have no answer yet."))
        if refused == "needs_organisation":
            return refuse(
                gettext_for(lang, "An assessment of your organisation needs its name: add it here.")
            )
        pseudonym = self.viewer().pseudonym
        made = q.events(
            setup,
            answers,
            f"{self.scope_ids.usage_id}\x1f{pseudonym}",
            profile.actor(pseudonym),
            self.event_context(),
            self.source_name(),
            datetime.now(UTC),
        )
        self.submitted = True
        self.history = {
            **self.history,
            self._history_key(setup.framework, setup.phase): answers,
        }
        self.summary = viewmodels.with_submission(self.summary, setup.phase, answers)
        self.runtime.publish(
            self, "grade", {"value": q.completion_score(setup, answers), "max_value": 1.0}
        )
        self.runtime.publish(self, "completion", {"completion": 1.0})
        self.emit(made)
        return answer(html=self._result_html(setup, lang))

    @XBlock.handler
    def class_csv(self, request: Any, suffix: str = "") -> Response:
        """The class averages of this block as a spreadsheet, for course staff."""
        if not self.viewer().is_staff:
            return Response(status=403)
        lang = current_language()
        setup = self._setup()
        view = viewmodels.class_view(setup, self.summary, lang, strings(lang))
        body = csvformat.table(
            ["competency", "title", "answers", "mean"],
            [
                [line["code"], line["title"], line["count"], line["mean"].replace("—", "")]
                for line in view["lines"]
            ],
        )
        return Response(
            body=("\ufeff" + body).encode("utf-8"),
            content_type="text/csv",
            charset="utf-8",
            content_disposition=f'attachment; filename="{setup.framework.id}-{setup.phase}.csv"',
        )

    @XBlock.json_handler
    def studio_submit(self, data: Any, suffix: str = "") -> dict[str, Any] | Response:
        """Validate and store the designer's settings; nothing is stored if any is wrong."""
        chosen = studio.check(data, self.tool())
        if isinstance(chosen, list):
            return refuse(*chosen)
        self.display_name, self.weight = chosen.display_name, chosen.weight
        self.framework, self.framework_file = chosen.framework, chosen.framework_file
        setup = chosen.setup
        self.phase, self.display, self.areas = setup.phase, setup.display, list(setup.areas)
        return answer()

    # --- reports and scenarios ------------------------------------------------------------

    def generate_report_data(
        self, user_state_iterator: Any, limit_responses: int | None = None
    ) -> Any:
        """Rows for Open edX's learner-response report: one per learner who answered."""
        return pages.report_rows(self.phase, self.framework, user_state_iterator, limit_responses)

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
