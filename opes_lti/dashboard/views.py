"""The coordinators' pages: thin views over the gap service, the viewer and the exports."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from opes_lti.competencies import chart
from opes_lti.core.db import session, utcnow
from opes_lti.dashboard import exports, gap, handoff, instructors, rows, timeline, viewer
from opes_lti.dashboard import overview as programme
from opes_lti.dashboard.models import RollupMark
from opes_lti.regions import REGIONS
from opes_lti.reporting import traffic
from opes_lti.reporting.models import StoredEvent, Uncounted

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates")


@bp.app_template_global()
def here(endpoint: str | None = None, **changes: str | None) -> str:
    """The URL of this page (or ``endpoint``) with its query, some values changed or cleared."""
    args = {k: v for k, v in request.args.items() if v} | changes
    kept: dict[str, Any] = {k: v for k, v in args.items() if v}
    return url_for(endpoint or request.endpoint or "dashboard.overview", **kept)


@bp.app_template_filter("regionname")
def _region_name(code: str) -> str:
    return REGIONS.get(code, code)


@bp.app_template_filter("scope")
def _scope(scope: str) -> str:
    return viewer.describe(scope)


def _k() -> int:
    return int(current_app.config["OPES_SETTINGS"].suppress_below)


#: Queued events counted exactly up to this; beyond it the page says "more than".
FRESH_COUNT_UP_TO = 10_000


def _freshness() -> dict[str, Any]:
    """How fresh the figures are: the oldest event still to count, or the last count.

    Every page asks, so it must cost the same with ten queued events or a million after
    a burst: the queue is counted only up to a bound, and its oldest row is the first.
    """
    db = session()
    queued = sa.select(Uncounted.seq).limit(FRESH_COUNT_UP_TO + 1).subquery()
    waiting = db.scalar(sa.select(sa.func.count()).select_from(queued)) or 0
    first = (
        sa.select(StoredEvent.received_at)
        .join(Uncounted, Uncounted.event_id == StoredEvent.id)
        .order_by(Uncounted.seq)
        .limit(1)
    )
    mark = db.get(RollupMark, 1)
    counted_at: datetime | None = mark.updated_at if mark else None
    return {
        "waiting": min(waiting, FRESH_COUNT_UP_TO),
        "more": waiting > FRESH_COUNT_UP_TO,
        "complete_before": db.scalar(first) if waiting else None,
        "counted_at": counted_at,
    }


def _lang() -> str:
    return str(get_locale() or "it")


def _view() -> tuple[viewer.Viewer, gap.Filters, str | None]:
    who = viewer.current(session())
    filters = gap.Filters.parse(request.args)
    if "community" in who.reach.kinds and filters.community is None:
        mine = who.reach.values(session(), "community")
        if mine:  # a community coordinator sees one community at a time
            filters = gap.Filters.parse(request.args | {"community": mine[0]})
    return who, filters, request.args.get("area") or None


@bp.errorhandler(viewer.SignInNeeded)
def _sign_in(exc: viewer.SignInNeeded) -> ResponseReturnValue:
    return exc.response()


@bp.errorhandler(gap.FilterError)
def _bad_filter(exc: gap.FilterError) -> ResponseReturnValue:
    return render_template("dashboard/bad_filter.html", message=str(exc)), 400


def _page(template: str, who: viewer.Viewer, filters: gap.Filters, **shown: Any) -> str:
    """A dashboard page with what every page shows: the viewer, filters, k, freshness."""
    return render_template(
        f"dashboard/{template}.html",
        who=who,
        filters=filters,
        regions=REGIONS,
        platforms=gap.PLATFORMS,
        k=_k(),
        fresh=_freshness(),
        **shown,
    )


def _download(view: str, fmt: str, header: list[str], body: Iterable[list[Any]]) -> Response:
    """A view's rows as CSV (streamed) or XLSX, with the page's filters already applied."""
    name = f"opes-{view}"
    if fmt == "csv":
        return Response(
            stream_with_context(exports.csv_lines(header, body)),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return Response(
        exports.xlsx_bytes(view, header, body),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


@bp.get("/")
def overview() -> ResponseReturnValue:
    """The programme at a glance: who was reached, what was done, month by month."""
    who, filters, _area = _view()
    seen = programme.overview(session(), who.reach, filters, _k())
    target = current_app.config["OPES_SETTINGS"].region_target
    planned = programme.planned_meetings()
    months = [month for month, _row in seen.months]
    drawn = [
        timeline.Series(name, [row[figure] for _month, row in seen.months])
        for figure, name in (
            ("learners", _("New learners")),
            ("pre", _("Self-assessments before")),
            ("post", _("Self-assessments after")),
        )
    ]
    months_svg = timeline.svg(
        months,
        drawn,
        _("Month by month"),
        _(
            "For each month, three columns: learners seen for the first time, "
            "self-assessments answered before a course, and after. A dash is a figure "
            "about too few learners to show. The table below gives the same numbers."
        ),
        _("fewer than %(k)s", k=_k()),
    )
    return _page(
        "overview", who, filters, seen=seen, planned=planned, region_target=target,
        months_svg=months_svg if months else "",
    )  # fmt: skip


@bp.get("/overview.<any(csv, xlsx):fmt>")
def overview_export(fmt: str) -> ResponseReturnValue:
    """The overview's totals, then month by month, with the page's filters."""
    who, filters, _area = _view()
    seen = programme.overview(session(), who.reach, filters, _k())
    names = [name for name, *_ in programme.FIGURES]
    header = [_("Month"), *(_figure_title(n) for n in names)]
    body = [[_("all"), *(seen.totals[n] for n in names)]]
    body += [[month, *(row[n] for n in names)] for month, row in seen.months]
    return _download("panoramica", fmt, header, body)


def _figure_title(name: str) -> str:
    """An overview figure as the page names it (the export's column heading)."""
    return {
        "learners": _("Learners"),
        "organisations": _("Organisations"),
        "regions": _("Regions reached"),
        "courses": _("Courses"),
        "pre": _("Self-assessments before the course"),
        "post": _("Self-assessments after the course"),
        "organisations_pre": _("Organisational self-assessments before"),
        "organisations_post": _("Organisational self-assessments after"),
        "groups_submitted": _("Group exercises handed in"),
        "groups_graded": _("Group exercises graded"),
        "members_graded": _("Learners graded in group exercises"),
        "members": _("Community members"),
        "attendance": _("Attendances at meetings"),
        "meetings_online": _("Meetings held online"),
        "meetings_in_person": _("Meetings held in person"),
        "practices": _("Practices shared"),
        "partnerships": _("Partnerships between organisations"),
        "partnerships_public": _("Partnerships with public administrations"),
        "interventions": _("Interventions started"),
    }[name]


@bp.get("/follow-up")
def follow_up() -> ResponseReturnValue:
    """Who still has to answer after the course: counts per course and organisation."""
    who, filters, _area = _view()
    waiting = programme.follow_up(session(), who.reach, filters, _k())
    return _page("follow_up", who, filters, waiting=waiting)


@bp.get("/follow-up.<any(csv, xlsx):fmt>")
def follow_up_export(fmt: str) -> ResponseReturnValue:
    """The follow-up list, with the page's filters."""
    who, filters, _area = _view()
    waiting = programme.follow_up(session(), who.reach, filters, _k())
    header = [_("course"), _("organisation"), _("still to answer after")]
    return _download(
        "da-sollecitare", fmt, header, ([w.course, w.organisation, w.count] for w in waiting)
    )


@bp.get("/communities")
def communities() -> ResponseReturnValue:
    """Each community of practice: members, meetings, practices, partnerships, interventions."""
    who, filters, _area = _view()
    found = programme.communities(session(), who.reach, filters, _k())
    planned = programme.MEETINGS_PER_COMMUNITY
    return _page("communities", who, filters, communities=found, planned=planned)


@bp.get("/communities.<any(csv, xlsx):fmt>")
def communities_export(fmt: str) -> ResponseReturnValue:
    """The communities page in a file, with the page's filters."""
    who, filters, _area = _view()
    found = programme.communities(session(), who.reach, filters, _k())
    header, body = rows.communities_table(found)
    return _download("comunita", fmt, header, body)


@bp.get("/gap")
def knowledge_gap() -> ResponseReturnValue:
    """The knowledge gap: framework, then area, then competence, with its filters."""
    who, filters, area = _view()
    report = gap.report(session(), who.reach, filters, _k())
    shown = rows.level(report, filters.framework, area, _lang())
    labels = chart.Labels(
        title=_("Mean level before and after"),
        description=_(
            "For each row, the thick bar is the mean level after the course and the thin "
            "bar the mean level before, on the framework's scale. Rows with too few "
            "learners are left out. The table gives the same numbers."
        ),
        level=_("After"),
        pre=_("Before"),
        target=_("Target"),
    )
    bars = [
        chart.Bar(r.title, r.stats.mean_post or 0, r.stats.mean_pre)
        for r in shown.rows
        if not r.stats.suppressed
    ]
    chart_svg = chart.svg(bars, shown.scale, labels, "gap-chart") if bars else ""
    return _page("gap", who, filters, area=area, shown=shown, svg=chart_svg)


@bp.get("/gap.<any(csv, xlsx):fmt>")
def knowledge_gap_export(fmt: str) -> ResponseReturnValue:
    """The view in a file: every level of the tree, with the page's filters."""
    who, filters, _area = _view()
    report = gap.report(session(), who.reach, filters, _k())
    header, body = rows.table(report, _lang())
    return _download("divario-conoscitivo", fmt, header, body)


@bp.post("/enter")
def enter() -> ResponseReturnValue:
    """An instructor arriving from the Course outcomes activity, with the tool's token.

    No CSRF field: the form comes from the tool's page, and the signed token, taken once,
    is what proves the launch. A browser says where a form came from: one posted from
    any other site is refused, so nobody can swap a visitor's session for a view of
    their own course (login CSRF) with a token they minted for themselves.
    """
    if not instructors.from_the_tool(request.headers.get("Origin"), request.referrer):
        current_app.logger.info("instructor's token posted from another site: refused")
        return render_template("dashboard/not_entered.html"), 403
    try:
        grant = instructors.enter(session(), request.form.get("token", ""))
    except handoff.Refused as exc:
        current_app.logger.info("instructor's token refused: %s", exc)
        return render_template("dashboard/not_entered.html"), 403
    viewer.enter_course(grant.course, grant.title, handoff.SESSION_HOURS)
    return redirect(url_for("dashboard.overview", lang=grant.locale), 303)


def _operator() -> viewer.Viewer:
    who = viewer.current(session())
    if not who.admin:
        abort(403, description=_("The sources page is for the reporting service's administrators."))
    return who


@bp.get("/sources")
def sources() -> ResponseReturnValue:
    """For operators: each source's last event, the last day's events, refusals and why."""
    who = _operator()
    found = traffic.summary(session(), utcnow())
    return _page(
        "sources",
        who,
        gap.Filters(),
        found=found,
        day_hours=traffic.DAY_HOURS,
        max_reasons=traffic.MAX_REASONS,
    )


@bp.get("/sources.<any(csv, xlsx):fmt>")
def sources_export(fmt: str) -> ResponseReturnValue:
    """The sources page as rows: one per source, then one per reason."""
    _operator()
    found = traffic.summary(session(), utcnow())
    header = [
        _("source"), _("active"), _("last event received"), _("accepted in the last day"),
        _("duplicates in the last day"), _("refused in the last day"), _("refusal"),
        _("field"), _("reason"), _("times"), _("last time"),
    ]  # fmt: skip

    def body() -> Iterable[list[Any]]:
        for s in found:
            last = s.last_event_at.isoformat() if s.last_event_at else ""
            head = [s.name, _("yes") if s.active else _("no"), last]
            yield [*head, s.accepted, s.duplicates, s.refused, "", "", "", None, ""]
            for r in s.reasons:
                reason = r.reason or _("other reasons")
                what = [_status(r.status), r.field, reason, r.count, r.last_at.isoformat()]
                yield [s.name, "", "", None, None, None, *what]

    return _download("fonti", fmt, header, body())


@bp.app_template_filter("refusal")
def _status(status: str) -> str:
    return {
        "rejected": _("rejected"),
        "conflict": _("conflict"),
        traffic.REQUEST: _("request refused"),
    }.get(status, status)


@bp.get("/definitions")
def definitions() -> ResponseReturnValue:
    """What every figure means and how it is computed (the coordinator guide's core)."""
    who = viewer.current(session())
    return render_template("dashboard/definitions.html", who=who, k=_k())
