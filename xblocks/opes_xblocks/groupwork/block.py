"""The group exercise as an Open edX XBlock: the tool keeps the groups and the work.

Groups and their drafts are shared between learners, so the OPES tool is their system
of record (``opes_lti.groupwork``) and this block is a face of it: it sends the tool who
is asking and the settings Studio saved (its OLX fields, exported with the course), and
words what comes back in the learner's language. A member's grade goes to the LMS
gradebook (``grade`` event) the next time that member opens the block after the
instructor published it.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from typing import Any

from web_fragments.fragment import Fragment
from webob import Response
from xblock.core import XBlock
from xblock.fields import Dict, Float, Integer, List, Scope, String
from xblock.utils.studio_editable import StudioEditableXBlockMixin
from xblock.validation import ValidationMessage

from opes_lti import richtext
from opes_lti.groups import csvgroups, filekinds
from opes_lti.groups.numbers import decimal
from opes_lti.groups.settings import SettingsError, parse
from opes_lti.learners.profile import ProfileError, clean
from opes_lti.regions import REGIONS
from opes_xblocks import compat
from opes_xblocks.base import OpesBlock, refuse, render, resource
from opes_xblocks.i18n import _, current_language, strings
from opes_xblocks.toolclient import ToolUnavailable

#: One stylesheet serves the LTI pages and the block.
CSS = (
    resources.files("opes_lti.groupwork")
    .joinpath("static/groupwork.css")
    .read_text(encoding="utf-8")
)
API = "/api/v1/blocks/groupwork/"


class GroupWorkXBlock(StudioEditableXBlockMixin, OpesBlock):
    """A group exercise: groups from the learners who open it, a shared draft, a grade."""

    display_name = String(
        display_name=_("Title"), default=_("Group exercise"), scope=Scope.settings
    )
    instructions = String(
        display_name=_("Instructions"),
        help=_("What the groups are to do (HTML; scripts and styles are removed)."),
        default="",
        multiline_editor="html",
        scope=Scope.settings,
    )
    least = Integer(display_name=_("Smallest group"), default=3, scope=Scope.settings)
    most = Integer(display_name=_("Largest group"), default=5, scope=Scope.settings)
    formation = String(
        display_name=_("How groups form"),
        default="mix_organisations",
        values=[
            {"value": "mix_organisations", "display_name": _("Mixing organisations")},
            {"value": "mix_regions", "display_name": _("Mixing regions")},
            {"value": "random", "display_name": _("At random")},
            {"value": "choice", "display_name": _("Learners choose a group")},
            {
                "value": "instructor",
                "display_name": _("The instructor places everyone (also from a spreadsheet)"),
            },
        ],
        scope=Scope.settings,
    )
    #: Not ``due``: Open edX blocks inherit that one from their subsection.
    deadline = String(
        display_name=_("Deadline"),
        help=_("Date and time with its zone, e.g. 2026-06-30T23:59:00+02:00; empty: none."),
        default="",
        scope=Scope.settings,
    )
    late = String(
        display_name=_("Work after the deadline"),
        default="marked",
        values=[
            {"value": "marked", "display_name": _("Taken and marked late")},
            {"value": "refused", "display_name": _("Refused")},
        ],
        scope=Scope.settings,
    )
    deliverable = String(
        display_name=_("What groups hand in"),
        default="text",
        values=[
            {"value": "text", "display_name": _("A text written together")},
            {"value": "file", "display_name": _("A file")},
            {"value": "link", "display_name": _("A link")},
        ],
        scope=Scope.settings,
    )
    teamset = String(
        display_name=_("Teamset"),
        help=_(
            "The id of one of the course's teamsets: its teams are then the groups. "
            "Empty: groups form from the learners who open the exercise."
        ),
        default="",
        scope=Scope.settings,
    )
    scheme = String(
        display_name=_("How members are graded"),
        default="group",
        values=[
            {"value": "group", "display_name": _("The group's grade for every member")},
            {"value": "webpa", "display_name": _("The group's grade adjusted by peer marks")},
            {"value": "individual", "display_name": _("The instructor grades each member")},
        ],
        scope=Scope.settings,
    )
    webpa_weight = Float(
        display_name=_("Share of the grade peer marks adjust"),
        help=_("From 0 to 1 (peer marks only): 0.5 leaves half the group's grade as it is."),
        default=0.5,
        scope=Scope.settings,
    )
    webpa_penalty = Float(
        display_name=_("Penalty for not rating"),
        help=_("From 0 to 1 (peer marks only): the share taken from a member who gave none."),
        default=0.0,
        scope=Scope.settings,
    )
    rubric = List(
        display_name=_("Rubric"),
        help=_(
            "Criteria in JSON, each with a code, a title and levels with points, e.g. "
            '[{"code": "fit", "title": "Fit with the call", "levels": [{"label": "weak", '
            '"points": 0}, {"label": "good", "points": 10}]}]. Empty: a score.'
        ),
        default=[],
        scope=Scope.settings,
    )
    review_gives = Integer(
        display_name=_("Reviews each group gives"),
        help=_(
            "Groups review each other's work by the rubric: how many works each group "
            "reviews. 0: no reviews between groups."
        ),
        default=0,
        scope=Scope.settings,
    )
    review_needs = Integer(
        display_name=_("Reviews each work needs"),
        help=_("How many reviews make a work's grade; each group gives at least this many."),
        default=2,
        scope=Scope.settings,
    )
    review_due = String(
        display_name=_("Reviews due"),
        help=_(
            "Date and time with its zone; after it, reviews idle groups owe can move to "
            "groups that review. Empty: none."
        ),
        default="",
        scope=Scope.settings,
    )
    scale = Float(display_name=_("Points of the grade"), default=100.0, scope=Scope.settings)
    weight = Float(display_name=_("Weight in the course grade"), default=1.0, scope=Scope.settings)

    #: The grade last sent to the gradebook for this learner, so it is sent once.
    published_grade = Float(default=None, scope=Scope.user_state)
    #: What groups mix by (organisation, region), asked before the groups form. Open edX
    #: keeps preferences per block type, so this is the group blocks' own.
    profile = Dict(default={}, scope=Scope.preferences)

    editable_fields = (
        "display_name",
        "instructions",
        "least",
        "most",
        "formation",
        "deadline",
        "late",
        "deliverable",
        "teamset",
        "scheme",
        "webpa_weight",
        "webpa_penalty",
        "rubric",
        "review_gives",
        "review_needs",
        "review_due",
        "scale",
        "weight",
    )
    has_score = True
    icon_class = "problem"

    def max_score(self) -> float:
        """The grade's points."""
        return float(self.scale)

    # --- settings -------------------------------------------------------------------------

    def tool_settings(self, data: Any = None) -> dict[str, Any]:
        """The settings as the tool reads them (``groups.settings``), from ``data`` or self."""
        data = data if data is not None else self
        return {
            "title": str(data.display_name or "")[:200],
            "instructions": str(data.instructions or ""),
            "least": data.least,
            "most": data.most,
            "formation": data.formation,
            "due": str(data.deadline or "").strip() or None,
            "late": data.late,
            "deliverable": data.deliverable,
            "rubric": list(data.rubric or []),
            "reviews": None
            if not data.review_gives
            else {
                "gives": data.review_gives,
                "needs": data.review_needs,
                "due": str(data.review_due or "").strip() or None,
            },
            "grading": {
                "scheme": data.scheme,
                "weight": data.webpa_weight,
                "penalty": data.webpa_penalty,
                "scale": data.scale,
            },
        }

    def validate_field_data(self, validation: Any, data: Any) -> None:
        """Studio refuses what the tool would: every problem, by field."""
        try:
            parse(self.tool_settings(data))
        except SettingsError as exc:
            for field, _kind, detail in exc.errors:
                validation.add(ValidationMessage(ValidationMessage.ERROR, f"{field}: {detail}"))

    # --- the tool -------------------------------------------------------------------------

    def _exchange(self, name: str, **body: Any) -> tuple[int, Any]:
        client = self.tool()
        if client is None:
            raise ToolUnavailable("no TOOL_URL")
        sent = {
            "placement": str(self.scope_ids.usage_id)[:500],
            "settings": self.tool_settings(),
            "profile": {k: v for k, v in self.profile.items() if k in _PROFILE},
            **body,
        }
        if name == "page" and not self.viewer().is_staff:
            # The platform's own id, so instructors can see this learner's name.
            sent["subject"] = compat.viewer_subject(self)[:500]
            team = compat.learner_team(self, str(self.teamset or "").strip())
            if team is not None:
                sent["team"] = {"id": team[0], "name": team[1]}
        return client.exchange(API + name, sent)

    # --- views ----------------------------------------------------------------------------

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The learner's group and work; the instructors' table for staff."""
        lang = current_language()
        text = strings(lang, "groupwork")
        body = self._inner(text, "page")
        fragment = Fragment(
            render(
                "templates/groupwork.html",
                {"t": text, "inner": body, "block_id": self.dom_id(), "lang": lang},
            )
        )
        fragment.add_css(CSS)
        fragment.add_javascript(resource("static/js/handlers.js"))
        fragment.add_javascript(resource("static/js/groupwork.js"))
        fragment.initialize_js("OpesGroupWork", {"strings": text})
        return fragment

    def _inner(
        self,
        text: dict[str, str],
        call: str,
        shown: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> str:
        """The block's content after ``call`` to the tool with ``body`` (a page, an action)."""
        try:
            status, answer = self._exchange(call, **(body or {}))
        except ToolUnavailable as exc:
            setup = "no TOOL_URL" in str(exc)
            problem = text["not_set_up" if setup else "unavailable"]
            return render("templates/groupwork_inner.html", {"t": text, "problem": problem})
        if status >= 400 and call == "page":
            problem = _refusal(answer) or text["unavailable"]
            return render("templates/groupwork_inner.html", {"t": text, "problem": problem})
        if status >= 400:
            # A refusal or a newer draft: the page again (the group an instructor was
            # working on, still open), saying why, keeping the learner's text.
            conflict = answer if isinstance(answer, dict) and "theirs" in answer else None
            shown = {"error": _refusal(answer), "conflict": conflict}
            group = (body or {}).get("group")
            if call in _ON_GROUP and isinstance(group, int) and group > 0:
                return self._inner(text, "group", shown, {"group": group})
            return self._inner(text, "page", shown)
        self._take_grade(answer.get("grade"))
        shown = {"notice": _notice(text, answer)} | (shown or {})
        return render("templates/groupwork_inner.html", self._view(text, answer, shown))

    def _view(
        self, text: dict[str, str], page: dict[str, Any], shown: dict[str, Any]
    ) -> dict[str, Any]:
        group = page.get("group")
        members = []
        if group:
            for m in group["members"]:
                who = text["you"] if m["you"] else text["member_number"].format(n=m["number"])
                members.append((who, m["organisation"]))
        exercise = page["exercise"]
        latest = _latest(text, group)
        download = self.runtime.handler_url(self, "download")
        named = self._namer(text)
        labels = _group_labels(text, page.get("staff"))
        return {
            "t": text,
            "notice": shown.get("notice", ""),
            "error": shown.get("error", ""),
            "conflict": shown.get("conflict"),
            "exercise": exercise,
            "brief": richtext.clean(exercise.get("instructions_html") or ""),
            "due": _moment(exercise.get("due")),
            "due_line": text["due"].format(due=_moment(exercise.get("due"))),
            "formed": page["formed"],
            "group": group,
            "group_name": (group or {}).get("name")
            or text["group_number"].format(n=(group or {}).get("number", "")),
            "members": members,
            "latest": latest,
            "submitted": _submitted(text, group),
            "confirm": text["confirm"].format(
                n=((group or {}).get("latest") or {}).get("number", 0)
            ),
            "grade": _grade(text, page.get("grade")),
            "staff": page.get("staff"),
            "staff_rows": _staff_rows(text, page.get("staff"), exercise["scale"], labels),
            "visitors_line": text["staff_visitors"].format(
                n=(page.get("staff") or {}).get("visitors", 0)
            ),
            "is_staff": self.viewer().is_staff,
            "block_id": self.dom_id(),
            "rate_rows": _rate_rows(text, group),
            "version_rows": _version_rows(text, (group or {}).get("versions") or []),
            "shown_version": _shown_version(text, page.get("version")),
            "past": [
                g
                | {
                    "open_label": text["past_open"].format(
                        group=g["name"] or text["group_number"].format(n=g["number"])
                    ),
                }
                for g in page.get("past") or []
            ],
            "past_group": _past_group(text, page.get("past_group"), download),
            "choosable": [
                g
                | {
                    "line": text["choose_row"].format(
                        group=g["name"] or text["group_number"].format(n=g["number"]),
                        n=g["members"],
                        most=exercise["most"],
                    ),
                    "join_label": text["choose_join_group"].format(
                        group=g["name"] or text["group_number"].format(n=g["number"])
                    ),
                }
                for g in page.get("choosable") or []
            ]
            if not (group or {}).get("submission")
            else [],
            "unplaced": [
                {"user": u["user"], "label": named(u["user"], u.get("subject"))}
                for u in (page.get("staff") or {}).get("unplaced", [])
            ],
            "detail": _detail(text, page.get("detail"), exercise, labels, download, named),
            "file_rows": _file_rows(text, (group or {}).get("files") or [], download),
            "submitted_url": _file_url(download, (group or {}).get("submission")),
            "file_help": text["file_help"].format(mb=filekinds.MOST_BYTES // (1024 * 1024)),
            "giving": _giving(text, group, exercise, download),
            "received": _received(text, group),
            "staff_reviews": _staff_reviews(text, page.get("staff"), labels),
            "score_hint": text["staff_score_hint"].format(scale=f"{exercise['scale']:g}"),
            "ask_profile": not page["formed"] and not self.viewer().is_staff,
            "profile": self.profile,
            "regions": sorted(REGIONS.items(), key=lambda item: item[1]),
        }

    def _namer(self, text: dict[str, str]) -> Callable[[str, str | None], str]:
        """How instructors see a learner: their name on the platform, else a code.

        The tool keeps no names; the LMS turns the platform's id for a learner into one,
        once per page.
        """
        names: dict[str | None, str | None] = {}

        def who(user: str, subject: str | None) -> str:
            if subject not in names:
                names[subject] = compat.name_of(self, subject)
            return names[subject] or _code(text, user)

        return who

    def _take_grade(self, grade: dict[str, Any] | None) -> None:
        """Send the learner's published grade to the gradebook once (again when it changes)."""
        if not grade or self.viewer().is_staff:
            return
        final = float(grade["final"])
        if self.published_grade != final:
            self.runtime.publish(
                self, "grade", {"value": final, "max_value": float(grade["scale"])}
            )
            self.published_grade = final

    # --- handlers -------------------------------------------------------------------------

    def _act(self, call: str, **body: Any) -> dict[str, Any]:
        text = strings(current_language(), "groupwork")
        return {"success": True, "html": self._inner(text, call, body=body)}

    @XBlock.json_handler
    def save_profile(self, data: Any, suffix: str = "") -> dict[str, Any] | Response:
        """What groups mix this learner by (each field may stay empty)."""
        try:
            profile = clean(data if isinstance(data, dict) else {})
        except ProfileError as exc:
            return refuse(f"{exc.field}: {exc}")
        self.profile = {"set": True, **profile.as_dict()}
        text = strings(current_language(), "groupwork")
        shown = {"notice": text["profile_saved"]}
        return {"success": True, "html": self._inner(text, "page", shown)}

    @XBlock.json_handler
    def save_draft(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Save the group's draft; a newer version comes back beside the learner's text."""
        text = str(data.get("text", ""))
        return self._act("draft", based_on=_int(data.get("based_on")), text=text)

    @XBlock.json_handler
    def submit_work(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Hand in the group's work: the version confirmed, the link, or a shared file."""
        data = _mapping(data)
        body: dict[str, Any] = {
            # Only a text is confirmed by its version; 0 is "none seen", which the tool
            # refuses for a text in words.
            "confirmed": _int(data.get("confirmed", 0)),
            "link": str(data.get("link", "")),
        }
        if self.deliverable == "file":
            body["file"] = _int(data.get("file"), 1)
        return self._act("submit", **body)

    @XBlock.handler
    def upload_file(self, request: Any, suffix: str = "") -> Response:
        """Share a file with the group (a form's ``file``); the tool checks its content."""
        sent = request.POST.get("file") if request.method == "POST" else None
        if sent is None or not hasattr(sent, "file"):
            return refuse(strings(current_language(), "groupwork")["no_file"])
        # One byte over the limit is enough for the tool to refuse it by its size.
        data = sent.file.read(filekinds.MOST_BYTES + 1)
        answer = self._act(
            "upload",
            filename=str(sent.filename or "file")[:500],
            data=base64.b64encode(data).decode("ascii"),
        )
        return Response(json_body=answer, charset="utf-8")

    @XBlock.handler
    def import_groups(self, request: Any, suffix: str = "") -> Response:
        """Groups from the instructor's spreadsheet: its learners looked up on the platform.

        The sheet names learners by username or e-mail; the platform turns each into its
        id for them here, and the tool gets only pseudonyms. The tool checks for staff.
        """
        text = strings(current_language(), "groupwork")
        sent = request.POST.get("file") if request.method == "POST" else None
        if sent is None or not hasattr(sent, "file"):
            return refuse(text["import_too_big"])
        raw = sent.file.read(IMPORT_BYTES + 1)
        if not raw or len(raw) > IMPORT_BYTES:
            return refuse(text["import_too_big"])
        sheet = csvgroups.decoded(raw)
        found: dict[str, dict[str, str]] = {}
        if self.viewer().is_staff:  # nobody else may look learners up
            for cell in csvgroups.learners(sheet)[:IMPORT_NAMED]:
                subject = compat.subject_of(self, cell)
                if subject:
                    found[cell[:300]] = {
                        "user": compat.pseudonym_of(subject),
                        "subject": subject[:500],
                    }
        answer = self._act("import", text=sheet, found=found)
        return Response(json_body=answer, charset="utf-8")

    @XBlock.json_handler
    def withdraw_file(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Take a file back before hand-in (the tool keeps it)."""
        return self._act("withdraw", file=_int(_mapping(data).get("file"), 1))

    @XBlock.handler
    def download(self, request: Any, suffix: str = "") -> Response:
        """A file the viewer may read (``?file=ID``), sent so no browser runs it."""
        text = strings(current_language(), "groupwork")
        try:
            status, answer = self._exchange("file", file=_int(request.GET.get("file"), 1))
        except ToolUnavailable:
            return Response(text["unavailable"], status=503, content_type="text/plain",
                            charset="utf-8")  # fmt: skip
        if status >= 400 or not isinstance(answer, dict):
            said = _refusal(answer) or text["unavailable"]
            return Response(said, status=status if status >= 400 else 502,
                            content_type="text/plain", charset="utf-8")  # fmt: skip
        try:
            body = base64.b64decode(str(answer["data"]), validate=True)
        except (KeyError, ValueError):
            return Response(text["unavailable"], status=502, content_type="text/plain",
                            charset="utf-8")  # fmt: skip
        headers = filekinds.served_headers(str(answer.get("filename") or "file"),
                                           str(answer.get("content_type") or ""))  # fmt: skip
        response = Response(body=body)
        response.headers.update(headers)
        return response

    @XBlock.json_handler
    def give_review(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """The group's review of another group's work, ``level-<code>`` per criterion."""
        data = _mapping(data)
        return self._act(
            "review",
            assignment=_int(data.get("assignment"), 1),
            levels=_levels(data),
            comment=str(data.get("comment", "")),
        )

    @XBlock.json_handler
    def start_reviews(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Draw the reviews between the groups that handed in (the tool checks for staff)."""
        return self._act("start_reviews")

    @XBlock.json_handler
    def reassign_reviews(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Move the reviews idle groups owe, after the reviewing date (staff)."""
        return self._act("reassign")

    @XBlock.json_handler
    def show_version(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """One version of a draft with its changes (the viewer's group, or ``group``)."""
        data = _mapping(data)
        body: dict[str, Any] = {"number": _int(data.get("number"), 1)}
        if data.get("group"):
            body["group"] = _int(data.get("group"), 1)
        return self._act("version", **body)

    @XBlock.json_handler
    def open_past(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """A group the learner was in, read-only."""
        return self._act("past", group=_int(_mapping(data).get("group"), 1))

    @XBlock.json_handler
    def choose_group(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Take a place in a group with room, when learners choose their group."""
        return self._act("choose", group=_int(_mapping(data).get("group"), 1))

    @XBlock.json_handler
    def form_groups(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Form the groups (the tool checks the caller is staff)."""
        return self._act("form")

    @XBlock.json_handler
    def rate_members(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """The learner's peer marks, ``mark-<member number>`` each."""
        given = {
            key.removeprefix("mark-"): _number(value, -1.0)
            for key, value in _mapping(data).items()
            if key.startswith("mark-")
        }
        return self._act("rate", marks=given)

    @XBlock.json_handler
    def open_group(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """One group in full (the tool checks the caller is staff)."""
        return self._act("group", group=_int(_mapping(data).get("group"), 1))

    @XBlock.json_handler
    def grade_group(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Grade a group's work by score or rubric levels (the tool checks for staff)."""
        data = _mapping(data)
        body: dict[str, Any] = {
            "group": _int(data.get("group"), 1),
            "comment": str(data.get("comment", "")),
        }
        levels = _levels(data)
        if levels or self.rubric:
            body["levels"] = levels
        else:
            body["score"] = _number(data.get("score"), -1.0)
        return self._act("grade", **body)

    @XBlock.json_handler
    def grade_member(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """A member's own grade or an override with its reason (the tool checks for staff)."""
        data = _mapping(data)
        raw = str(data.get("grade", "")).strip()
        return self._act(
            "member",
            group=_int(data.get("group"), 1),
            user=str(data.get("user", "")),
            kind=str(data.get("kind", "")),
            grade=_number(raw, -1.0) if raw else None,
            reason=str(data.get("reason", "")),
        )

    @XBlock.json_handler
    def move_member(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Place, move or take out a learner (the tool checks for staff)."""
        data = _mapping(data)
        to = str(data.get("to", ""))
        body: dict[str, Any] = {
            "user": str(data.get("user", "")),
            "reason": str(data.get("reason", "")),
        }
        if to == "new":
            body["new_group"] = True
        elif to != "out":
            body["to"] = _int(to, 1)
        return self._act("move", **body)

    @XBlock.json_handler
    def publish_group(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Publish a group's member grades (the tool checks the caller is staff)."""
        return self._act("publish", group=_int(data.get("group"), 1))

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        """The workbench's example."""
        return [
            (
                "OPES: group exercise",
                '<opes_groupwork display_name="Progetto per un bando" least="2" most="3"/>',
            ),
            (
                "OPES: group exercise with peer marks",
                '<opes_groupwork display_name="Piano di comunicazione" least="2" most="3" '
                'scheme="webpa" webpa_weight="1.0"/>',
            ),
            (
                "OPES: group exercise with a file and reviews between groups",
                '<opes_groupwork display_name="Scheda di progetto" least="1" most="1" '
                'deliverable="file" review_gives="1" review_needs="1" rubric=\'[{"code": '
                '"fit", "title": "Aderenza al bando", "levels": [{"label": "debole", '
                '"points": 0}, {"label": "buona", "points": 10}]}]\'/>',
            ),
        ]


_PROFILE = ("role", "organisation", "region")
#: An instructor's spreadsheet, and the learners looked up from it, at most (as the tool).
IMPORT_BYTES = 1024 * 1024
IMPORT_NAMED = 5000
#: Instructors' calls on one group: a refusal shows that group again.
_ON_GROUP = ("group", "grade", "member", "publish")


def _mapping(data: Any) -> dict[str, Any]:
    return data if isinstance(data, dict) else {}


def _levels(data: dict[str, Any]) -> dict[str, int]:
    """The level chosen per rubric criterion, from a form's ``level-<code>`` fields."""
    return {k.removeprefix("level-"): _int(v) for k, v in data.items() if k.startswith("level-")}


def _number(raw: Any, otherwise: float) -> float:
    """A number from the page (a comma as decimal point too), or one the tool refuses."""
    found = decimal(raw)
    return otherwise if found is None else found


def _code(text: dict[str, str], user: str) -> str:
    """How instructors see a learner: the tool keeps no names, only pseudonyms."""
    return text["staff_code"].format(code=user[:8])


def _rate_rows(text: dict[str, str], group: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not group:
        return []
    given = group.get("my_marks") or {}
    rows = []
    for m in group["members"]:
        who = text["member_number"].format(n=m["number"])
        label = text["rate_yourself"] if m["you"] else text["rate_member"].format(who=who)
        rows.append(
            {"number": m["number"], "label": label, "mark": given.get(str(m["number"]), "")}
        )
    return rows


def _version_rows(text: dict[str, str], found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A draft's versions, newest first, each worded with who saved it and when."""
    return [
        v
        | {
            "line": text["draft_version"].format(
                n=v["number"],
                who=text["member_number"].format(n=v["author"]),
                at=_moment(v["at"]),
            ),
            "show_label": text["version_show_n"].format(n=v["number"]),
        }
        for v in found
    ]


def _shown_version(text: dict[str, str], found: dict[str, Any] | None) -> dict[str, Any] | None:
    """One version opened: its line, its changes marked, its text."""
    if not found:
        return None
    return found | {
        "title": text["version_title"].format(n=found["number"]),
        "line": text["draft_version"].format(
            n=found["number"],
            who=text["member_number"].format(n=found["author"]),
            at=_moment(found["at"]),
        ),
    }


def _past_group(
    text: dict[str, str], found: dict[str, Any] | None, download: str
) -> dict[str, Any] | None:
    """A group the learner was in, worded: members by number and when, its work, files."""
    if not found:
        return None
    members = []
    for m in found["members"]:
        who = text["you"] if m["you"] else text["member_number"].format(n=m["number"])
        span = text["staff_since"].format(at=_moment(m["joined"]))
        if m["left"]:
            span = text["staff_from_to"].format(since=_moment(m["joined"]),
                                                until=_moment(m["left"]))  # fmt: skip
        members.append(f"{who}: {span}")
    return found | {
        "label": found["name"] or text["group_number"].format(n=found["number"]),
        "member_lines": members,
        "file_rows": _file_rows(text, found.get("files") or [], download),
        "submitted": _submitted(text, found),
        "submitted_url": _file_url(download, found.get("submission")),
    }


def _file_url(download: str, holder: dict[str, Any] | None) -> str:
    """The block's address for the file a submission or a review's work holds ("" if none)."""
    found = (holder or {}).get("file")
    if not found:
        return ""
    return f"{download}{'&' if '?' in download else '?'}file={int(found['id'])}"


def _file_rows(
    text: dict[str, str], found: list[dict[str, Any]], download: str
) -> list[dict[str, Any]]:
    """The group's files, worded: who shared each (by member number) and when."""
    rows = []
    for f in found:
        who = text["member_number"].format(n=f.get("by", 0))
        kb = f"{max(1, round(f['size'] / 1024))}"
        line = text["file_line"].format(name=f["filename"], size=kb, who=who,
                                        at=_moment(f.get("at")))  # fmt: skip
        rows.append(
            f
            | {
                "line": line,
                "url": _file_url(download, {"file": f}),
                "download_label": text["file_download"].format(name=f["filename"]),
                "withdraw_label": text["file_withdraw"].format(name=f["filename"]),
            }
        )
    return rows


def _criteria(
    text: dict[str, str], exercise: dict[str, Any], chosen: dict[str, Any]
) -> list[dict[str, Any]]:
    """The rubric's criteria with their levels worded, the ``chosen`` ones marked."""
    return [
        c
        | {
            "levels": [
                {
                    "line": text["staff_level"].format(
                        label=level["label"], points=f"{level['points']:g}"
                    ),
                    "chosen": chosen.get(c["code"]) == n,
                }
                for n, level in enumerate(c["levels"])
            ]
        }
        for c in exercise.get("rubric") or []
    ]


def _giving(
    text: dict[str, str], group: dict[str, Any] | None, exercise: dict[str, Any], download: str
) -> list[dict[str, Any]]:
    """The works the viewer's group reviews, each with the rubric to review it by."""
    return [
        task
        | {
            "title": text["review_work"].format(n=task["number"]),
            "file_url": _file_url(download, task.get("work")),
            "criteria": _criteria(text, exercise, task.get("choices") or {}),
        }
        for task in ((group or {}).get("reviews") or {}).get("giving", [])
    ]


def _received(text: dict[str, str], group: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The reviews the viewer's group's work received, without who gave them."""
    found = ((group or {}).get("reviews") or {}).get("received", [])
    return [
        {
            "line": text["received_line"].format(
                n=n, score="–" if r["score"] is None else f"{r['score']:g}"
            ),
            "comment": r["comment"],
        }
        for n, r in enumerate(found, start=1)
    ]


def _staff_reviews(
    text: dict[str, str], staff: dict[str, Any] | None, labels: dict[int, str]
) -> dict[str, Any] | None:
    """Reviews between groups for instructors: draw them, who waits on whom."""
    found = (staff or {}).get("reviews")
    if not found:
        return None
    rows = [
        {
            "label": labels.get(w["group"], str(w["group"])),
            "received": w["received"],
            "owed": ", ".join(labels.get(g, str(g)) for g in w["owed_by"])
            or text["staff_owed_nobody"],
        }
        for w in found["waiting"]
    ]
    return found | {
        "help": text["staff_reviews_help"].format(n=found["submitted"]),
        "rows": rows,
    }


def _detail(
    text: dict[str, str],
    found: dict[str, Any] | None,
    exercise: dict[str, Any],
    labels: dict[int, str],
    download: str,
    who: Callable[[str, str | None], str],
) -> dict[str, Any] | None:
    """One group for its instructors, worded."""
    if not found:
        return None
    scale = f"{exercise['scale']:g}"
    rows = []
    for m in found["history"]:
        left = _moment(m["left"])
        span = text["staff_since"].format(at=_moment(m["joined"]))
        if left:
            span = text["staff_from_to"].format(since=_moment(m["joined"]), until=left)
        rows.append(
            {
                "label": who(m["user"], m.get("subject")),
                "organisation": m["organisation"],
                "span": span,
                "why": m["reason"] if left else m["placed_by"],
            }
        )
    submission = found.get("submission")
    criteria = _criteria(text, exercise, (submission or {}).get("choices") or {})
    grades = []
    for g in found["grades"]:
        computed = "–" if g["computed"] is None else f"{g['computed']:g}"
        if g["factor"] is not None:
            computed = text["staff_factor"].format(grade=computed, factor=f"{g['factor']:.2f}")
        override = (
            ""
            if g["override"] is None
            else text["staff_overridden"].format(grade=f"{g['override']:g}", reason=g["reason"])
        )
        final = "–" if g["final"] is None else f"{g['final']:g} / {scale}"
        if g["published"]:
            final += " " + text["staff_is_published"]
        grades.append(
            {
                "user": g["user"],
                "label": who(g["user"], g.get("subject")),
                "computed_line": computed,
                "override_line": override,
                "final_line": final,
            }
        )
    label = (
        labels.get(found["id"]) or found["name"] or text["group_number"].format(n=found["number"])
    )
    return found | {
        "label": label,
        "version_rows": _version_rows(text, found.get("versions") or []),
        "file_rows": _file_rows(text, found.get("files") or [], download),
        "submitted_url": _file_url(download, submission),
        "received": _received(text, {"reviews": {"received": found.get("reviews_received")}}),
        "rows": rows,
        "current": [
            {"user": m["user"], "label": who(m["user"], m.get("subject"))}
            for m in found["history"]
            if m["left"] is None
        ],
        "submitted": _submitted(text, found) if submission else "",
        "criteria": criteria,
        "grade_rows": grades,
        "score_label": text["staff_score"].format(n=found["number"], scale=scale),
    }


def _int(raw: Any, least: int = 0) -> int:
    """A number from the page, or one the tool refuses with its own words."""
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return -1
    return value if value >= least else -1


def _group_labels(text: dict[str, str], staff: dict[str, Any] | None) -> dict[int, str]:
    """Each group's name as instructors see it, by id."""
    return {
        g["id"]: g["name"] or text["group_number"].format(n=g["number"])
        for g in (staff or {}).get("groups", [])
    }


def _staff_rows(
    text: dict[str, str], staff: dict[str, Any] | None, scale: float, labels: dict[int, str]
) -> list[dict[str, Any]]:
    rows = []
    for g in (staff or {}).get("groups", []):
        label = labels[g["id"]]
        grade = "" if g["grade"] is None else f"{g['grade']:g} / {scale:g}"
        rows.append(
            g
            | {
                "label": label,
                "grade_line": grade,
                "open_label": text["staff_open_group"].format(group=label),
                "publish_label": text["staff_publish_group"].format(group=label),
            }
        )
    return rows


def _notice(text: dict[str, str], answer: dict[str, Any]) -> str:
    """What an action did, in words."""
    if "saved" in answer:
        saved = answer["saved"]
        return text["saved"].format(n=saved["number"]) if saved["changed"] else text["unchanged"]
    if "published" in answer:
        return text["staff_published"].format(n=answer["published"])
    if "graded" in answer:
        return text["staff_graded"]
    if "rated" in answer:
        return text["rated"]
    if "member_graded" in answer:
        return text["staff_member_saved"]
    if "moved" in answer:
        return text["staff_moved"] if answer["moved"] else text["staff_taken_out"]
    if "uploaded" in answer:
        return text["file_uploaded"].format(name=answer["uploaded"])
    if "withdrawn" in answer:
        return text["file_withdrawn"]
    if "reviewed" in answer:
        return text["reviewed"]
    if "reviews_drawn" in answer:
        return text["staff_reviews_drawn"].format(n=answer["reviews_drawn"])
    if "reassigned" in answer:
        return text["staff_reassigned"].format(n=answer["reassigned"])
    if "chose" in answer:
        return text["chose"]
    if "imported" in answer:
        done = text["import_done"].format(n=answer["imported"])
        return " ".join([done, *answer.get("warnings", [])])
    if "unmet" in answer:
        return text["staff_formed"].format(n=len((answer.get("staff") or {}).get("groups", [])))
    return ""


def _refusal(answer: Any) -> str:
    try:
        return str(answer["error"]["message"])
    except (KeyError, TypeError):
        return ""


def _moment(raw: str | None) -> str:
    if not raw:
        return ""
    return datetime.fromisoformat(raw).strftime("%d/%m/%Y %H:%M")


def _latest(text: dict[str, str], group: dict[str, Any] | None) -> dict[str, Any] | None:
    latest = (group or {}).get("latest")
    if not latest:
        return None
    who = text["member_number"].format(n=latest["author"])
    return latest | {
        "line": text["draft_version"].format(n=latest["number"], who=who, at=_moment(latest["at"]))
    }


def _submitted(text: dict[str, str], group: dict[str, Any] | None) -> str:
    found = (group or {}).get("submission")
    if not found:
        return ""
    at = _moment(found["at"])
    if found.get("file"):
        line = text["submitted_file"].format(at=at, name=found["file"]["filename"])
    elif found["link"]:
        line = text["submitted_link"].format(at=at, link=found["link"])
    else:
        line = text["submitted"].format(at=at, n=found["version"])
    return line + (" " + text["late"] if found["late"] else "")


def _grade(text: dict[str, str], grade: dict[str, Any] | None) -> str:
    if not grade:
        return ""
    return text["grade"].format(grade=f"{grade['final']:g}", scale=f"{grade['scale']:g}")
