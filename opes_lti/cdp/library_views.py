"""The practice library's pages: search, one practice, the sheet, review. Thin views.

Who is asking comes from the page token, never the form; a national coordinator is a
launch with the platform's institution or system administrator role. Every refusal
shows the page again saying why, with nothing of the refused change kept.
"""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request
from flask_babel import gettext as _

from opes_lti.cdp.asking import asker_of
from opes_lti.cdp.views import after_refusal, bp, chosen, community_page, origin_of, refusing
from opes_lti.cdp.wording import field_problems
from opes_lti.communities import access, library, practice, sheetform
from opes_lti.communities.access import RecordError
from opes_lti.communities.models import Community, Practice
from opes_lti.communities.rules import may
from opes_lti.communities.spec import SpecError
from opes_lti.core.db import session
from opes_lti.core.limits import body_limit
from opes_lti.groups.filekinds import MOST_BYTES, served_headers
from opes_lti.lti.launch import Launch
from opes_lti.regions import REGIONS

PAGE_SIZE = 20


def library_page(launch: Launch, token: str, community: Community, error: str = "") -> str:
    """The community's published practices matching the search, newest first."""
    db = session()
    query = library.Query(
        text=request.form.get("q", "")[:200],
        theme=request.form.get("theme", "").strip()[:60],
        region=request.form.get("region", "") if request.form.get("region") in REGIONS else "",
    )
    page = max(0, _number(request.form.get("page")))
    rows, total = library.library(db, community, query, PAGE_SIZE, page * PAGE_SIZE)
    asker = asker_of(launch)
    role = access.role(db, community, asker)
    return render_template(
        "cdp/library.html", community=community, rows=rows, total=total, query=query,
        page=page, pages=(total + PAGE_SIZE - 1) // PAGE_SIZE, regions=REGIONS, token=token,
        mine=library.mine(db, community, asker) if may(role, "share") else [],
        waiting=library.to_review(db, community, asker) if may(role, "review") else [],
        can_share=may(role, "share"), error=error,
    )  # fmt: skip


def _number(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 7 else 0


def practice_page(launch: Launch, token: str, row: Practice, notice: str = "",
                  error: str = "") -> str:  # fmt: skip
    """One practice: its sheet, files, and what the asker may do with it."""
    db = session()
    asker = asker_of(launch)
    community = library.community_of(db, row)
    role = access.role(db, community, asker)
    reviewer = may(role, "review")
    author = row.author == asker.user
    return render_template(
        "cdp/practice.html", row=row, sheet=practice.PracticeSpec.model_validate(row.sheet),
        community=community, files=library.files(db, row), licences=practice.LICENCES,
        regions=REGIONS, author=author, reviewer=reviewer,
        history=library.history(db, row) if author or reviewer else [],
        scores=library.scores_of(db, row) if reviewer else {},
        criteria=practice.CRITERIA, token=token, notice=notice, error=error,
    )  # fmt: skip


def form_page(launch: Launch, token: str, community: Community, values: dict[str, str],
              ref: str = "", problems: list[tuple[str, str]] | None = None) -> str:  # fmt: skip
    """The practice sheet to fill in, with the problems of the last try beside fields."""
    return render_template(
        "cdp/practice_form.html", community=community, values=values, ref=ref,
        problems=problems or [], regions=REGIONS, licences=practice.LICENCES,
        rows={name: sheetform.rows(values, name) for name in sheetform.LISTS},
        long_fields=sheetform.LONG, token=token,
    )  # fmt: skip


refused = refusing(
    after_refusal(
        lambda launch: library.read(session(), request.form.get("practice", ""), asker_of(launch)),
        practice_page,
    )
)


@bp.post("/library")
@refused
def library_search(launch: Launch, token: str) -> Any:
    """The library of one community, searched."""
    return library_page(launch, token, chosen())


@bp.post("/practice")
@refused
def practice_view(launch: Launch, token: str) -> Any:
    """One practice the asker may read."""
    row = library.read(session(), request.form.get("practice", ""), asker_of(launch))
    return practice_page(launch, token, row)


@bp.post("/practice/new")
@refused
def practice_new(launch: Launch, token: str) -> Any:
    """An empty sheet, for a member of the community."""
    community = chosen()
    access.require(session(), community, asker_of(launch), "share")
    return form_page(launch, token, community, {})


@bp.post("/practice/edit")
@refused
def practice_edit(launch: Launch, token: str) -> Any:
    """The author's sheet to change."""
    db = session()
    row = library.read(db, request.form.get("practice", ""), asker_of(launch))
    if row.author != launch.user or row.state not in ("draft", "returned"):
        raise RecordError("not_allowed", "edit")
    spec = practice.PracticeSpec.model_validate(row.sheet)
    return form_page(launch, token, library.community_of(db, row), sheetform.form_of(spec),
                     row.ref)  # fmt: skip


@bp.post("/practice/save")
@refused
def practice_save(launch: Launch, token: str) -> Any:
    """A new draft, or the author's changes; a sheet with problems is shown back, unsaved."""
    db = session()
    community = chosen()
    ref = request.form.get("practice", "")
    try:
        spec = practice.parse(sheetform.sheet_of(request.form))
    except SpecError as exc:
        values = {k: str(v) for k, v in request.form.items() if k not in ("token", "community")}
        problems = field_problems(exc)
        return form_page(launch, token, community, values, ref, problems), 422
    asker = asker_of(launch)
    row = library.edit(db, ref, asker, spec) if ref else library.write(db, community, asker, spec)
    db.commit()
    return practice_page(launch, token, row, notice=_("Your practice is saved as a draft."))


_MOVES = {
    "submit": lambda db, ref, asker, origin, comment: library.submit(db, ref, asker),
    "publish": lambda db, ref, asker, origin, comment: library.publish(db, ref, asker, origin),
    "return": lambda db, ref, asker, origin, comment: library.send_back(db, ref, asker, comment),
    "withdraw": lambda db, ref, asker, origin, comment: library.withdraw(
        db, ref, asker, origin, comment
    ),
}


@bp.post("/practice/move")
@refused
def practice_move(launch: Launch, token: str) -> Any:
    """Submit, publish, return or withdraw a practice."""
    db = session()
    move = request.form.get("move", "")
    if move not in _MOVES:
        raise RecordError("wrong_state", move[:20])
    ref = request.form.get("practice", "")
    comment = request.form.get("comment", "")
    row = _MOVES[move](db, ref, asker_of(launch), origin_of(launch), comment)
    db.commit()
    notices = {
        "submit": _("Sent to the community's coordinator for review."),
        "publish": _("Published: the practice is in the library."),
        "return": _("Returned to its author with your comment."),
        "withdraw": _("Withdrawn: the practice is kept, out of the library."),
    }
    return practice_page(launch, token, row, notice=notices[move])


@bp.post("/practice/score")
@refused
def practice_score(launch: Launch, token: str) -> Any:
    """A coordinator's scores on the criteria."""
    db = session()
    ref = request.form.get("practice", "")
    raw: dict[str, Any] = {c: request.form[c] for c in practice.CRITERIA if request.form.get(c)}
    raw["comment"] = request.form.get("score_comment", "").strip()
    try:
        scores = practice.parse_scores(raw)
    except SpecError:
        row = library.read(db, ref, asker_of(launch))
        return practice_page(launch, token, row, error=_("Give each score from 1 to 5, and at "
                                                         "least one.")), 422  # fmt: skip
    library.score(db, ref, asker_of(launch), scores)
    db.commit()
    row = library.find(db, ref)
    return practice_page(launch, token, row, notice=_("Your scores are saved."))


@bp.post("/practice/attach")
@body_limit(MOST_BYTES + 64 * 1024)
@refused
def practice_attach(launch: Launch, token: str) -> Any:
    """The author adds a file to the practice."""
    db = session()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise RecordError("no_such_file")
    ref = request.form.get("practice", "")
    library.attach(db, ref, asker_of(launch), upload.filename, upload.read(MOST_BYTES + 1))
    db.commit()
    return practice_page(launch, token, library.find(db, ref), notice=_("The file is added."))


@bp.post("/practice/file")
@refused
def practice_file(launch: Launch, token: str) -> Any:
    """A file of a practice the asker may read, as an attachment with safe headers."""
    found = library.file_for(
        session(), request.form.get("practice", ""), _number(request.form.get("file")),
        asker_of(launch),
    )  # fmt: skip
    return Response(found.data, headers=served_headers(found.name, found.kind))


@bp.post("/practice/unattach")
@refused
def practice_unattach(launch: Launch, token: str) -> Any:
    """The author takes a file off (it is kept)."""
    db = session()
    ref = request.form.get("practice", "")
    library.withdraw_file(db, ref, _number(request.form.get("file")), asker_of(launch))
    db.commit()
    return practice_page(launch, token, library.find(db, ref), notice=_("The file is removed."))


@bp.post("/appoint")
@refused
def appoint(launch: Launch, token: str) -> Any:
    """A national coordinator makes a member the coordinator, or a member again."""
    db = session()
    community = chosen()
    number = _number(request.form.get("member"))
    coordinator = request.form.get("as") == "coordinator"
    access.appoint(db, community, asker_of(launch), number, coordinator)
    db.commit()
    return community_page(launch, token, community, notice=_("The member's role is changed."))
