"""What every OPES block shares: who is looking, the site's settings, templates, events.

A block subclasses :class:`OpesBlock` and declares its own fields,
handlers and views; everything that touches Open edX goes through :mod:`compat`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from webob import Response
from xblock.core import XBlock
from xblock.fields import List, Scope
from xblock.utils.resources import ResourceLoader

from opes_lti.events.delivery import Dispatcher, OutboxStore
from opes_lti.events.domain import Context, OutcomeEvent
from opes_xblocks import compat
from opes_xblocks.fieldoutbox import FieldOutbox
from opes_xblocks.i18n import current_language
from opes_xblocks.sending import dispatcher_for
from opes_xblocks.toolclient import ToolClient

if TYPE_CHECKING:
    from opes_xblocks.outbox.store import DjangoOutbox

log = logging.getLogger(__name__)
loader = ResourceLoader("opes_xblocks")
#: Seconds a learner's request waits for the reporting service before leaving it to later.
SEND_TIMEOUT = 5.0


@cache
def _template(name: str) -> Any:
    """A template of the package, compiled once.

    xblock-utils' loader compiles it again and scans every installed tag library on each
    render, which was half the block's render time.
    """
    from django.template import Engine

    return Engine().from_string(loader.load_unicode(name))


def render(name: str, context: dict[str, Any]) -> str:
    """``templates/<name>`` drawn with ``context`` (Django's autoescaping on).

    Numbers are not localised: in attributes they are for browsers, which read "3,5"
    in a number field as nothing; what a person reads is worded before it gets here.
    """
    from django.template import Context as TemplateContext

    return str(_template(name).render(TemplateContext(context, use_l10n=False)))


@cache
def resource(name: str) -> str:
    """A static file of the package (scripts), read once."""
    return str(loader.load_unicode(name))


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a pseudonymous id for events, and whether they are course staff."""

    pseudonym: str
    is_staff: bool


def answer(**values: Any) -> dict[str, Any]:
    """A handler's success answer, as the Open edX blocks give it."""
    return {"success": True, "errors": [], **values}


def refuse(*errors: str, status: int = 400) -> Response:
    """A handler's refusal: the status, and every reason a person can act on."""
    import json

    return Response(
        json.dumps({"success": False, "errors": list(errors)}),
        status=status,
        content_type="application/json",
        charset="utf8",
    )


@XBlock.needs("user")
@XBlock.wants("settings")
@XBlock.wants("i18n")
@XBlock.wants("teams")
class OpesBlock(XBlock):  # type: ignore[misc]  # XBlock ships no type information
    """The shared base of the OPES blocks: a block subclasses it instead of ``XBlock``."""

    #: One XBLOCK_SETTINGS bucket for every OPES block (the settings service reads it).
    block_settings_key = compat.BUCKET

    #: Outcome events not yet accepted, when the LMS has no outbox app (see fieldoutbox).
    pending_events = List(default=[], scope=Scope.user_state)

    def viewer(self) -> Viewer:
        """The viewer's pseudonymous id and staff flag."""
        return Viewer(compat.viewer_pseudonym(self), compat.viewer_is_staff(self))

    def opes_settings(self) -> dict[str, Any]:
        """The site's OPES settings (``XBLOCK_SETTINGS["OPES"]``)."""
        return compat.block_settings(self)

    def course(self) -> str:
        """The course id ("" outside a course)."""
        return compat.course_id(self)

    def dom_id(self) -> str:
        """An id for this block's elements, unique on the page."""
        return str(self.scope_ids.usage_id).replace(".", "-").replace(":", "-")

    def tool(self) -> ToolClient | None:
        """The client for the OPES tool's API, or None when the site set no ``TOOL_URL``."""
        viewer = self.viewer()
        return ToolClient.from_settings(
            self.opes_settings(),
            viewer.pseudonym,
            "staff" if viewer.is_staff else "learner",
            # The course, or for a block outside one (the workbench) a stand-in.
            self.course()[:200] or "(no course)",
            current_language(),
        )

    def event_context(self) -> Context:
        """Where this block's events happen, as the reporting service groups them."""
        settings = self.opes_settings()
        return Context(
            platform="openedx",
            platform_id=str(settings.get("PLATFORM_ID") or "")[:200] or None,
            course=self.course()[:200] or None,
            activity=str(self.scope_ids.usage_id)[:200],
        )

    def source_name(self) -> str:
        """The source name this site's events carry (its reporting token's name)."""
        return str(self.opes_settings().get("SOURCE_NAME") or "openedx")

    def emit(self, events: Sequence[OutcomeEvent]) -> None:
        """Keep the events durably, then try to send them now; what fails waits."""
        store: DjangoOutbox | FieldOutbox
        if compat.outbox_installed():
            # The LMS's own outbox table: the events leave even if the learner never
            # comes back (opes_send_events), and at once below when the service answers.
            from opes_xblocks.outbox.store import DjangoOutbox

            store = DjangoOutbox()
        else:
            store = FieldOutbox(self)
        store.emit_all(events)
        self._send(store)

    def send_pending(self) -> None:
        """Send this learner's held events (called when they come back to the block)."""
        if self.pending_events:
            self._send(FieldOutbox(self))

    def _send(self, store: OutboxStore) -> None:
        dispatcher = self.dispatcher(store)
        if dispatcher is None:
            return
        report = dispatcher.run_once()
        if report.failure:
            log.info("OPES events kept for a later try: %s", report.failure)

    def dispatcher(self, store: OutboxStore) -> Dispatcher | None:
        """The one Dispatcher over ``store``, for the site's reporting service."""
        # A learner's own outbox is tried only when they act: up to an hour between tries.
        longest = 3600.0 if isinstance(store, FieldOutbox) else 300.0
        return dispatcher_for(self.opes_settings(), store, SEND_TIMEOUT, longest)
