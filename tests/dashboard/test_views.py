"""The knowledge-gap pages as coordinators use them: sign in, filter, drill down, export.

Each scope's learners answer their own area of the framework, so any sight of another
area in a page, an export or a filter's answer is a leak of another scope's data.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from opes_lti.accounts import services as accounts
from opes_lti.core.db import Database
from tests.dashboard.conftest import AREA_TITLES, FRAMEWORK, GROUPS, PASSWORD, Group, page
from tests.support.signin import sign_in


def test_signing_in_comes_back_to_the_same_view(app: Flask, programme: Database) -> None:
    with programme.transaction() as db:
        accounts.add_account(db, "anna", PASSWORD, "coordinator", ["national"])
    client = app.test_client()
    answer = client.get("/dashboard/gap?framework=opes-progettazione&region=12")
    assert answer.status_code == 302
    assert "next=/dashboard/gap?framework%3Dopes-progettazione%26region%3D12" in answer.location
    back = sign_in(
        client, "anna", PASSWORD, query_string={"next": answer.location.split("next=")[1]}
    )
    assert back.status_code == 302


def test_a_national_coordinator_drills_down_and_exports(
    signed_in: Callable[..., FlaskClient],
) -> None:
    client = signed_in("national")
    top = page(client, "/dashboard/gap?lang=it")
    assert "Competenze di progettazione" in top or FRAMEWORK in top
    assert ('role="img"' in top, "<table>" in top) == (True, True)
    areas = page(client, f"/dashboard/gap?framework={FRAMEWORK}&lang=it")
    for title in AREA_TITLES.values():
        assert title in areas
    leaves = page(client, f"/dashboard/gap?framework={FRAMEWORK}&area=PS&lang=it")
    assert ("PS.1" in leaves, "PS.2" in leaves) == (True, True)
    # 8 learners, before 1 or 2, after 3, 4 or 5: the mean before of PS.1 is 1.50.
    assert ("<td>8</td>" in leaves, "<td>1.50</td>" in leaves) == (True, True)
    csv_text = page(client, f"/dashboard/gap.csv?framework={FRAMEWORK}&lang=en")
    assert csv_text.splitlines()[0].startswith("level,framework,area,competence")
    assert f"competency,{FRAMEWORK},PS,PS.1," in csv_text
    book = page(client, f"/dashboard/gap.xlsx?framework={FRAMEWORK}&lang=en")
    assert "PS.1" in book


SCOPED = [
    *GROUPS,
    Group("community:welfare", "GO", ("GO.1", "GO.2"), "16", "odv-bari", "welfare"),
]
URLS = [
    "/dashboard/gap?framework={f}",
    "/dashboard/gap?framework={f}&{filter}",
    "/dashboard/gap.csv?{filter}",
    "/dashboard/gap.xlsx?{filter}",
    "/dashboard/gap?framework={f}&area={other}&{filter}",
]


@pytest.mark.parametrize("mine", SCOPED, ids=lambda g: g.scope)
def test_a_scoped_coordinator_finds_no_other_scopes_data_whatever_the_filter(
    signed_in: Callable[..., FlaskClient], mine: Group
) -> None:
    client = signed_in(mine.scope)
    own = page(client, f"/dashboard/gap?framework={FRAMEWORK}&lang=it")
    assert AREA_TITLES[mine.area] in own
    for other in (g for g in GROUPS if g.area != mine.area):
        filters = [
            f"region={other.region}",
            f"organisation={other.organisation}",
            f"community={other.community}",
            f"course=corso-{other.region}",
        ]
        for url in URLS:
            for filter_ in filters:
                text = page(
                    client, url.format(f=FRAMEWORK, filter=filter_, other=other.area) + "&lang=it"
                )
                assert AREA_TITLES[other.area] not in text, (mine.scope, url, filter_)
                assert f",{other.area}," not in text
                assert other.competences[0] not in text


def test_an_account_without_scope_rows_sees_nothing(app: Flask, programme: Database) -> None:
    with programme.transaction() as db:
        account = accounts.add_account(db, "vuoto", PASSWORD, "coordinator", ["region:12"])
        from opes_lti.accounts.models import AccountScope

        db.query(AccountScope).filter_by(account_id=account.id).delete()
    client = app.test_client()
    sign_in(client, "vuoto", PASSWORD)
    text = page(client, f"/dashboard/gap?framework={FRAMEWORK}")
    assert all(title not in text for title in AREA_TITLES.values())


def test_a_small_group_is_not_shown_and_says_why(
    signed_in: Callable[..., FlaskClient],
) -> None:
    client = signed_in("national")
    # Managers of coop-napoli: 4 of its 8 learners, under k = 5.
    text = page(
        client,
        f"/dashboard/gap?framework={FRAMEWORK}&area=RI&organisation=coop-napoli&role=manager&lang=en",
    )
    assert "not shown: fewer than 5 learners" in text
    assert "<td>4</td>" not in text


def test_a_disabled_account_is_sent_back_to_sign_in(app: Flask, programme: Database) -> None:
    with programme.transaction() as db:
        accounts.add_account(db, "bruno", PASSWORD, "coordinator", ["national"])
    client = app.test_client()
    sign_in(client, "bruno", PASSWORD)
    assert client.get("/dashboard/gap").status_code == 200
    with programme.transaction() as db:
        accounts.disable_account(db, "bruno")
    assert client.get("/dashboard/gap").status_code == 302


@pytest.mark.parametrize(
    "query",
    [
        "since=2026-13",
        "since=2026-05&until=2026-04",
        "region=99",
        "role=boss",
        "colour=red",
        "scope=all",
    ],
)
def test_a_bad_filter_is_a_400_with_a_message(
    signed_in: Callable[..., FlaskClient], query: str
) -> None:
    client = signed_in("national")
    for path in ("/dashboard/gap", "/dashboard/gap.csv", "/dashboard/gap.xlsx"):
        answer = client.get(f"{path}?{query}&lang=en")
        assert answer.status_code == 400, (path, query)
        assert "Start again without filters" in answer.get_data(as_text=True)


@pytest.mark.parametrize("mine", GROUPS[:2], ids=lambda g: g.scope)
def test_the_overview_and_follow_up_show_no_other_scopes_learners_whatever_the_filter(
    signed_in: Callable[..., FlaskClient], mine: Group
) -> None:
    client = signed_in(mine.scope)
    own = page(client, "/dashboard/?lang=en")
    assert f"<td>{mine.learners}</td>" in own
    for other in (g for g in GROUPS if g.scope != mine.scope):
        for filter_ in (
            f"region={other.region}",
            f"organisation={other.organisation}",
            f"community={other.community}",
            f"course=corso-{other.region}",
        ):
            text = page(client, f"/dashboard/?{filter_}&lang=en")
            assert "Nothing to count in this view yet" in text, (mine.scope, filter_)
            follow = page(client, f"/dashboard/follow-up?{filter_}&lang=en")
            assert f"<td>{other.organisation}</td>" not in follow, (mine.scope, filter_)
            for fmt in ("csv", "xlsx"):
                for view in ("overview", "follow-up", "communities"):
                    sheet = page(client, f"/dashboard/{view}.{fmt}?{filter_}&lang=en")
                    assert other.organisation not in sheet, (mine.scope, view, fmt, filter_)
                    assert other.community not in sheet, (mine.scope, view, fmt, filter_)
            communities = page(client, f"/dashboard/communities?{filter_}&lang=en")
            assert f">{other.community}</h2>" not in communities, (mine.scope, filter_)


def test_every_page_says_how_fresh_its_figures_are_at_a_bounded_cost(
    signed_in: Callable[..., FlaskClient], programme: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opes_lti.dashboard import views
    from opes_lti.reporting import sources
    from opes_lti.reporting.ingest import ingest
    from tests.support.factories import event_json

    client = signed_in("national")
    assert "Data up to" in page(client, "/dashboard/?lang=en")
    with programme.sessions.begin() as db:
        source = sources.add_source(db, "late").row
        ingest(
            db,
            sources.Caller(source.id, source.name),
            [event_json(source="late") for _ in range(3)],
        )
    for path in ("/dashboard/?lang=en", f"/dashboard/gap?framework={FRAMEWORK}&lang=en"):
        assert "3 recent events are still being counted" in page(client, path)
    monkeypatch.setattr(views, "FRESH_COUNT_UP_TO", 2)
    assert "More than 2 recent events are still being counted" in page(
        client, "/dashboard/?lang=en"
    )
