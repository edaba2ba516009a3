"""Communities and their members: joined once and told once, left and kept."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from opes_lti.communities import services
from opes_lti.communities.models import Community, CommunityMember
from opes_lti.communities.spec import parse
from opes_lti.core.db import Database
from opes_lti.events.domain import Context
from opes_lti.events.models import OutboxEntry
from opes_lti.learners.profile import Profile

HERE = Context(platform="lti", platform_id="https://lms.example", course="c1", activity="cdp")
ANNA = Profile("volunteer", "ets-anna", "16")


def _add(database: Database, slug: str = "giovani") -> None:
    with database.transaction() as db:
        services.add(db, parse({"slug": slug, "name": slug.title()}))


def _join(database: Database, user: str, slug: str = "giovani") -> None:
    with database.transaction() as db:
        services.join(db, services.find(db, slug), user, ANNA, HERE, "tool-test")


def _events(database: Database) -> list[str]:
    with database.sessions() as db:
        return list(db.scalars(sa.select(OutboxEntry.event_type).order_by(OutboxEntry.seq)))


def test_joining_is_told_once_and_leaving_keeps_the_membership(database: Database) -> None:
    _add(database)
    _join(database, "anna")
    _join(database, "anna")  # a second click: still one membership, one event
    assert _events(database) == ["community.joined"]
    with database.transaction() as db:
        giovani = services.find(db, "giovani")
        assert [m.user for m in services.members(db, giovani)] == ["anna"]
        services.leave(db, giovani, "anna")
        assert services.members(db, giovani) == []
        with pytest.raises(services.CommunityError) as caught:
            services.leave(db, giovani, "anna")
        assert caught.value.status == 409
    _join(database, "anna")  # back again: a new membership, a new event
    assert _events(database) == ["community.joined", "community.joined"]
    with database.sessions() as db:
        rows = db.scalars(sa.select(CommunityMember).order_by(CommunityMember.id)).all()
        assert [r.left_at is not None for r in rows] == [True, False]


def test_a_short_name_is_taken_once_and_a_disabled_community_takes_nobody(
    database: Database,
) -> None:
    _add(database)
    with database.transaction() as db, pytest.raises(services.CommunityError) as taken:
        services.add(db, parse({"slug": "giovani", "name": "Altri giovani"}))
    assert taken.value.what == "slug_taken"
    _join(database, "anna")
    with database.transaction() as db:
        services.disable(db, "giovani")
        assert services.listing(db) == []
        assert [c.slug for c in services.listing(db, disabled=True)] == ["giovani"]
        with pytest.raises(services.CommunityError) as refused:
            services.find(db, "giovani")
        assert refused.value.what == "disabled"
        # Its members are kept, but it no longer groups anyone.
        assert services.community_of(db, "anna") == ""
    with database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(CommunityMember)) == 1


def test_a_person_in_several_communities_is_grouped_in_the_first_joined(
    database: Database,
) -> None:
    for slug in ("giovani", "ambiente"):
        _add(database, slug)
    _join(database, "anna", "ambiente")
    _join(database, "anna", "giovani")
    for n in (0, 300):
        _join(database, f"p{n}", "giovani")
    with database.sessions() as db:
        found = services.communities_of(
            db, ["anna", "p0", "p300", "nessuno", *map(str, range(1200))]
        )
    assert found == {"anna": "ambiente", "p0": "giovani", "p300": "giovani"}


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.text(max_size=80))
@example("gio\x00vani")
def test_any_text_finds_a_community_or_none_never_a_database_error(
    database: Database, text: str
) -> None:
    # Forms and bodies hand find() whatever was sent: a NUL once reached PostgreSQL.
    with database.sessions() as db:
        found = db.scalar(sa.select(Community).where(Community.slug == "giovani"))
        if text == "giovani" and found is not None:
            assert services.find(db, text).slug == text
            return
        with pytest.raises(services.CommunityError) as caught:
            services.find(db, text)
    assert caught.value.what == "no_such_community"
