"""The communities of practice as an Open edX XBlock: the tool keeps them and their members.

A community spans courses and platforms, so the OPES tool is its system of record
(``opes_lti.communities``) and this block is a face of it, as the LTI activity is: it
sends the tool who is asking and words what comes back in the learner's language.
"""

from __future__ import annotations

from typing import Any

from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Scope, String
from xblock.utils.studio_editable import StudioEditableXBlockMixin

from opes_lti.communities.spec import is_slug
from opes_lti.learners.profile import ProfileError, clean
from opes_lti.regions import REGIONS
from opes_xblocks.base import OpesBlock, render, resource
from opes_xblocks.community import screens
from opes_xblocks.i18n import _, current_language, strings
from opes_xblocks.toolclient import ToolUnavailable

API = "/api/v1/blocks/communities/"


class CommunityXBlock(StudioEditableXBlockMixin, OpesBlock):
    """The communities, or the one the designer chose: join, see the members, leave."""

    display_name = String(
        display_name=_("Title"), default=_("Communities of practice"), scope=Scope.settings
    )
    community = String(
        display_name=_("Community"),
        help=_("The short name of one community (e.g. giovani); empty: all the communities."),
        default="",
        scope=Scope.settings,
    )
    editable_fields = ("display_name", "community")
    icon_class = "other"

    def validate_field_data(self, validation: Any, data: Any) -> None:
        """Studio refuses a community no short name could be."""
        from xblock.validation import ValidationMessage

        chosen = str(data.community or "").strip()
        if chosen and not is_slug(chosen):
            said = _("community: lower-case letters, digits and hyphens, e.g. giovani")
            validation.add(ValidationMessage(ValidationMessage.ERROR, said))

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The communities, or the designer's one."""
        lang = current_language()
        text = strings(lang, "community")
        chosen = str(self.community or "").strip()
        inner = (
            self._inner(text, "open", {"community": chosen})
            if chosen
            else self._inner(text, "list", {})
        )
        fragment = Fragment(render("templates/community.html", {"inner": inner, "lang": lang}))
        fragment.add_javascript(resource("static/js/handlers.js"))
        fragment.add_javascript(resource("static/js/community.js"))
        fragment.initialize_js("OpesCommunity", {"strings": text})
        return fragment

    def _inner(self, text: dict[str, str], call: str, body: dict[str, Any],
               shown: dict[str, str] | None = None) -> str:  # fmt: skip
        """The block's content after ``call`` to the tool (a page, an action)."""
        client = self.tool()
        if client is None:
            return _problem(text, text["not_set_up"])
        try:
            status, answer = client.exchange(API + call, body)
        except ToolUnavailable:
            return _problem(text, text["unavailable"])
        if status >= 400:
            error = _refusal(answer) or text["unavailable"]
            if call == "list":
                return _problem(text, error)
            return self._inner(text, "list", {}, {"error": error})
        return render("templates/community_inner.html", self._view(text, answer, shown or {}))

    def _view(self, text: dict[str, str], answer: dict[str, Any],
              shown: dict[str, str]) -> dict[str, Any]:  # fmt: skip
        community = answer.get("community")
        notice = ""
        if answer.get("joined"):
            notice = text["joined"]
        elif answer.get("left"):
            notice = text["left"]
        rows = [
            c
            | {
                "count": _members(text, c["members"]),
                "open_label": text["open_one"].format(name=c["name"]),
            }
            for c in answer.get("communities") or []
        ]
        members = []
        for m in (community or {}).get("members") or []:
            who = text["you"] if m["you"] else text["member_number"].format(n=m["number"])
            parts = [who, m["organisation"], REGIONS.get(m["region"], "") if m["region"] else ""]
            members.append(" · ".join(p for p in parts if p))
        return {
            "t": text,
            "title": self.display_name,
            "rows": rows,
            "community": community,
            "count": _members(text, len((community or {}).get("members") or [])),
            "members": members,
            "fixed": bool(str(self.community or "").strip()),
            "notice": notice,
            "error": shown.get("error", ""),
            "block_id": self.dom_id(),
            "regions": sorted(REGIONS.items(), key=lambda item: item[1]),
            "sections": [
                ("library", "", text["library"]),
                ("meetings", "", text["meetings"]),
                ("records", "partnership", text["partnerships"]),
                ("records", "intervention", text["interventions"]),
            ],
        }

    def _act(self, call: str, body: dict[str, Any]) -> dict[str, Any]:
        text = strings(current_language(), "community")
        return {"success": True, "html": self._inner(text, call, body)}

    @XBlock.json_handler
    def open_community(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """One community's page."""
        return self._act("open", {"community": _slug(data)})

    @XBlock.json_handler
    def all_communities(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """The communities again."""
        return self._act("list", {})

    @XBlock.json_handler
    def join(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Join, with what the learner lets the other members see."""
        data = data if isinstance(data, dict) else {}
        try:
            profile = clean({k: data.get(k) or None for k in ("organisation", "region")})
        except ProfileError as exc:
            text = strings(current_language(), "community")
            error = f"{text['profile_problem']} {exc.field}: {exc}"
            return {"success": True, "html": self._inner(text, "list", {}, {"error": error})}
        body = {
            "community": _slug(data),
            "show_organisation": data.get("show_organisation") == "yes",
            "show_region": data.get("show_region") == "yes",
            "profile": {k: v for k, v in profile.as_dict().items() if v},
        }
        return self._act("join", body)

    @XBlock.json_handler
    def leave(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Leave the community (the tool keeps the membership, closed)."""
        return self._act("leave", {"community": _slug(data)})

    @XBlock.json_handler
    def act(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """A screen beyond joining, or a change made on one: the call its form names.

        A refused change keeps the screen as it is (what the person typed stays in its
        form) and says why; an accepted one answers the next screen.
        """
        data = data if isinstance(data, dict) else {}
        text = strings(current_language(), "community")
        call = str(data.get("call", ""))
        if call == "open":
            return self._act("open", {"community": _slug(data)})
        if call in screens.FORMS:
            shown = screens.form(text, call, data) | {"t": text, "block_id": self.dom_id()}
            return {"success": True, "html": render("templates/community_screens.html", shown)}
        if call not in screens.CALLS:
            return {"success": False, "error": text["unavailable"]}
        client = self.tool()
        if client is None:
            return {"success": False, "error": text["not_set_up"]}
        try:
            status, answer = client.exchange(API + call, screens.CALLS[call](data))
        except ToolUnavailable:
            return {"success": False, "error": text["unavailable"]}
        if status >= 400:
            return {"success": False, "error": _refusal(answer) or text["unavailable"]}
        shown = screens.view(text, call, answer)
        shown |= {"t": text, "block_id": self.dom_id(), "notice": _notice(text, answer)}
        return {"success": True, "html": render("templates/community_screens.html", shown)}

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        """The workbench's example."""
        return [("OPES: communities of practice", "<opes_community/>")]


def _notice(text: dict[str, str], answer: Any) -> str:
    if answer.get("checked_in"):
        return text["n_checked_in"]
    if answer.get("saved"):
        return text["n_saved"]
    done = ("moved", "answered", "recorded", "cancelled", "stage")
    return text["n_done"] if any(answer.get(flag) for flag in done) else ""


def _problem(text: dict[str, str], said: str) -> str:
    return render("templates/community_inner.html", {"t": text, "problem": said})


def _slug(data: Any) -> str:
    found = str((data if isinstance(data, dict) else {}).get("community", "")).strip()
    return found[:60] or "-"  # the tool refuses what no short name could be, in words


def _members(text: dict[str, str], n: int) -> str:
    return text["one_member"] if n == 1 else text["members"].format(n=n)


def _refusal(answer: Any) -> str:
    try:
        return str(answer["error"]["message"])
    except (KeyError, TypeError):
        return ""
