"""A community's partnerships and interventions in the LTI activity. Thin views.

Over :mod:`opes_lti.communities.registry`: members record, the community's coordinators
confirm, return, withdraw and move interventions on. Who is asking comes from the page
token; every refusal shows the page again saying why, with nothing of it kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, cast

from flask import render_template, request
from flask_babel import gettext as _

from opes_lti.cdp.asking import asker_of
from opes_lti.cdp.views import after_refusal, bp, chosen, origin_of, refusing
from opes_lti.cdp.wording import field_problems
from opes_lti.communities import (
    access,
    library,
    meeting,
    meetings,
    partnership,
    recordform,
    registry,
)
from opes_lti.communities import services as communities
from opes_lti.communities.access import RecordError
from opes_lti.communities.models import Community, Registered
from opes_lti.communities.partnership import Kind
from opes_lti.communities.rules import may
from opes_lti.communities.spec import SpecError
from opes_lti.core.db import session
from opes_lti.lti.launch import Launch
from opes_lti.regions import REGIONS


def words() -> dict[str, str]:
    """Kinds, acts, public bodies, stages and states as a person reads them."""
    return {
        "partnership": _("partnership"), "intervention": _("intervention"),
        "protocol": _("memorandum of understanding"), "agreement": _("agreement"),
        "co_programming": _("co-programming (art. 55 of the Third Sector Code)"),
        "co_design": _("co-design (art. 55 of the Third Sector Code)"),
        "network": _("network agreement"), "other": _("other"),
        "municipality": _("municipality"), "region": _("region"),
        "health_authority": _("local health authority"), "school": _("school"),
        "planned": _("planned"), "running": _("running"), "completed": _("completed"),
        "submitted": _("waiting for confirmation"), "confirmed": _("confirmed"),
        "returned": _("returned to its author"), "withdrawn": _("withdrawn"),
        "record": _("recorded"), "edit": _("changed"), "confirm": _("confirmed"),
        "return": _("returned to its author"), "withdraw": _("withdrawn"),
        "progress": _("moved on"),
    }  # fmt: skip


def titles(kind: Kind) -> dict[str, str]:
    """A kind's headings: its list, one new record, its empty state."""
    if kind == "partnership":
        return {
            "list": _("Partnerships"), "new": _("Record a partnership"),
            "empty": _("No partnership is confirmed yet."),
            "waiting": _("Partnerships waiting for your confirmation"),
        }  # fmt: skip
    return {
        "list": _("Interventions"), "new": _("Record an intervention"),
        "empty": _("No intervention is confirmed yet."),
        "waiting": _("Interventions waiting for your confirmation"),
    }  # fmt: skip


def _kind() -> Kind:
    kind = request.form.get("kind", "")
    if kind not in partnership.KINDS:
        raise RecordError("no_such_record", kind[:20])
    return kind


def _ref() -> str:
    return request.form.get("record", "")[:40]


def records_page(launch: Launch, token: str, community: Community, kind: Kind,
                 notice: str = "", error: str = "") -> str:  # fmt: skip
    """The community's confirmed records of a kind; the asker's own; those to confirm."""
    db = session()
    asker = asker_of(launch)
    role = access.role(db, community, asker)
    return render_template(
        "cdp/records.html",
        community=community,
        kind=kind,
        titles=titles(kind),
        rows=registry.listed(db, community, kind),
        mine=registry.mine(db, community, asker, kind) if may(role, "share") else [],
        waiting=registry.to_confirm(db, community, asker, kind) if may(role, "confirm") else [],
        can_share=may(role, "share"),
        words=words(),
        regions=REGIONS,
        token=token,
        notice=notice,
        error=error,
    )


def record_page(launch: Launch, token: str, row: Registered, notice: str = "",
                error: str = "") -> str:  # fmt: skip
    """One record: what it says, what it links to, its history, and what the asker may do."""
    db = session()
    asker = asker_of(launch)
    community = registry.community_of(db, row)
    role = access.role(db, community, asker)
    confirmer = may(role, "confirm")
    author = row.author == asker.user
    practices, held = registry.links(db, row)
    return render_template(
        "cdp/record.html",
        row=row,
        spec=registry.spec_of(row),
        community=community,
        kind=row.kind,
        titles=titles(cast(Kind, row.kind)),
        words=words(),
        regions=REGIONS,
        author=author,
        confirmer=confirmer,
        practices=practices,
        meetings=held,
        local=meeting.local,
        stages=partnership.STAGES,
        history=registry.history(db, row) if author or confirmer else [],
        token=token,
        notice=notice,
        error=error,
    )


def form_page(launch: Launch, token: str, community: Community, kind: Kind,
              values: Mapping[str, str], picked: Mapping[str, Sequence[str]], ref: str = "",
              problems: list[tuple[str, str]] | None = None) -> str:  # fmt: skip
    """The record's form, with the problems of the last try beside its fields."""
    db = session()
    practices, _total = library.library(db, community, limit=100)
    return render_template(
        "cdp/record_form.html",
        community=community,
        kind=kind,
        titles=titles(kind),
        values=values,
        picked=picked,
        ref=ref,
        problems=problems or [],
        words=words(),
        regions=REGIONS,
        acts=partnership.ACTS,
        bodies=partnership.PUBLIC_BODIES,
        stages=partnership.STAGES,
        rows=recordform.rows(kind, values),
        practices=practices,
        meetings=meetings.listed(db, community),
        local=meeting.local,
        token=token,
    )


def _listed(launch: Launch, token: str, community: Community, error: str) -> str | None:
    kind = request.form.get("kind", "")
    if kind in partnership.KINDS:
        return records_page(launch, token, community, kind, error=error)
    return None


refused = refusing(
    after_refusal(
        lambda launch: registry.read(session(), _ref(), asker_of(launch)), record_page, _listed
    )
)


@bp.post("/records")
@refused
def records_view(launch: Launch, token: str) -> Any:
    """The community's partnerships, or its interventions."""
    return records_page(launch, token, chosen(), _kind())


@bp.post("/record")
@refused
def record_view(launch: Launch, token: str) -> Any:
    """One record the asker may read."""
    return record_page(launch, token, registry.read(session(), _ref(), asker_of(launch)))


@bp.post("/record/new")
@refused
def record_new(launch: Launch, token: str) -> Any:
    """An empty form, for a member of the community."""
    community = chosen()
    kind = _kind()
    access.require(session(), community, asker_of(launch), "share")
    communities.require_open(community)
    return form_page(launch, token, community, kind, {}, {})


@bp.post("/record/edit")
@refused
def record_edit(launch: Launch, token: str) -> Any:
    """The author's record to change, while it is not confirmed."""
    db = session()
    row = registry.read(db, _ref(), asker_of(launch))
    if row.author != launch.user or row.state not in ("submitted", "returned"):
        raise RecordError("not_allowed", "edit")
    values, picked = recordform.values_of(registry.spec_of(row))
    community = registry.community_of(db, row)
    return form_page(launch, token, community, cast(Kind, row.kind), values, picked, row.ref)


@bp.post("/record/save")
@refused
def record_save(launch: Launch, token: str) -> Any:
    """A new record, or the author's changes; a form with problems comes back unsaved."""
    db = session()
    community = chosen()
    kind = _kind()
    ref = _ref()
    asker = asker_of(launch)
    access.require(db, community, asker, "share")
    picked = {name: request.form.getlist(name)[:40] for name in recordform.PICKED[kind]}
    try:
        spec = partnership.parse(kind, recordform.raw_of(kind, request.form, picked))
    except SpecError as exc:
        skip = ("token", "community", "kind", "record", *recordform.PICKED[kind])
        values = {k: str(v) for k, v in request.form.items() if k not in skip}
        problems = field_problems(exc)
        return form_page(launch, token, community, kind, values, picked, ref, problems), 422
    row = (
        registry.edit(db, ref, asker, spec) if ref else registry.record(db, community, asker, spec)
    )
    db.commit()
    return record_page(launch, token, row,
                       notice=_("Saved: the community's coordinator will confirm it."))  # fmt: skip


@bp.post("/record/move")
@refused
def record_move(launch: Launch, token: str) -> Any:
    """Confirm, return or withdraw a record."""
    db = session()
    move = request.form.get("move", "")
    asker, origin, ref = asker_of(launch), origin_of(launch), _ref()
    comment = request.form.get("comment", "")
    if move == "confirm":
        row = registry.confirm(db, ref, asker, origin)
        notice = _("Confirmed: it now counts in the programme's figures.")
    elif move == "return":
        row = registry.send_back(db, ref, asker, comment)
        notice = _("Returned to its author with your comment.")
    elif move == "withdraw":
        row = registry.withdraw(db, ref, asker, origin, comment)
        notice = _("Withdrawn: it is kept, out of the figures.")
    else:
        raise RecordError("wrong_state", move[:20])
    db.commit()
    return record_page(launch, token, row, notice=notice)


@bp.post("/record/progress")
@refused
def record_progress(launch: Launch, token: str) -> Any:
    """A coordinator moves a confirmed intervention on (started, or completed)."""
    db = session()
    status = request.form.get("status", "")
    if status not in partnership.STAGES:
        raise RecordError("wrong_state", status[:20])
    typed = request.form.get("on", "").strip()
    try:
        on = date.fromisoformat(typed) if typed else None
    except ValueError:
        raise RecordError("bad_date") from None
    row = registry.progress(db, _ref(), asker_of(launch), status, origin_of(launch), on)
    db.commit()
    return record_page(launch, token, row, notice=_("The intervention's stage is saved."))
