"""The tool's own partnerships and interventions reach the dashboard's community pages.

Records are made through the tool's services, their outbox events are sent to the
reporting service as a platform's sender would, and the dashboard is read: only what
was confirmed and still stands is listed and counted.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from opes_lti.communities import access, partnership, registry, services
from opes_lti.communities.access import Asker
from opes_lti.communities.meeting import local
from opes_lti.communities.origin import Origin
from opes_lti.communities.spec import parse
from opes_lti.core.db import Database, utcnow
from opes_lti.dashboard import gap, reach, rollups
from opes_lti.dashboard import overview as programme
from opes_lti.events.domain import Context
from opes_lti.events.models import OutboxEntry
from opes_lti.learners.profile import Profile
from opes_lti.reporting.ingest import ingest
from tests.dashboard.conftest import page
from tests.support import programmes

HERE = Origin("tool-test", Context(platform="lti", platform_id="https://lms.example", course="c1"))
NATIONAL = Asker("nora", national=True)
ANNA = Asker("anna")


def _recorded(database: Database) -> dict[str, str]:
    """A partnership with a public body, one between organisations withdrawn after it was
    confirmed, one never confirmed, and an intervention started and then completed."""
    with database.transaction() as db:
        services.add(db, parse({"slug": "giovani", "name": "Giovani"}))
        community = services.find(db, "giovani")
        profile = Profile("manager", "aps-roma", "12")
        for user in ("anna", "carla"):
            services.join(db, community, user, profile, HERE.context, "t")
        access.appoint(db, community, NATIONAL, 2, coordinator=True)
        carla = Asker("carla")

        def recorded(kind: partnership.Kind, raw: dict[str, Any]) -> str:
            return registry.record(db, community, ANNA, partnership.parse(kind, raw)).ref

        public = recorded("partnership", {
            "title": "Sportello giovani", "act": "co_programming", "since": "2027-01-10",
            "organisations": ["APS Roma"], "region": "12",
            "public_bodies": [{"kind": "municipality", "name": "Comune di Roma"}],
        })  # fmt: skip
        network = recorded("partnership", {
            "title": "Rete doposcuola", "act": "network", "since": "2027-01-10",
            "organisations": ["APS Roma", "ODV Ostia"],
        })  # fmt: skip
        waiting = recorded("partnership", {
            "title": "In attesa", "act": "agreement", "since": "2027-01-10",
            "organisations": ["APS Roma", "Coop Tivoli"],
        })  # fmt: skip
        started = local(utcnow()).date() - timedelta(days=40)
        work = recorded("intervention", {
            "title": "Doposcuola a Ostia", "regions": ["12"], "status": "running",
            "started_on": started.isoformat(),
        })  # fmt: skip
        for ref in (public, network, work):
            registry.confirm(db, ref, carla, HERE)
        registry.progress(db, work, carla, "completed", HERE, started + timedelta(days=30))
        registry.withdraw(db, network, carla, HERE, "doppione")
    return {"public": public, "network": network, "waiting": waiting, "work": work}


def _sent(database: Database) -> None:
    """The outbox's events, ingested and counted as the sender and the counter do."""
    with database.sessions() as db:
        events = [json.loads(b) for b in db.scalars(
            sa.select(OutboxEntry.body).order_by(OutboxEntry.seq)
        )]  # fmt: skip
    caller = programmes.caller(database, events, f"s{uuid.uuid4().hex[:10]}")
    with database.sessions.begin() as db:
        ingest(db, caller, events)
    rollups.count_all(database.sessions)


def test_only_confirmed_records_that_stand_reach_the_dashboard(database: Database) -> None:
    programmes.reset(database)
    refs = _recorded(database)
    _sent(database)
    with database.sessions() as db:
        [giovani] = programme.communities(db, reach.national(), gap.Filters(), k=1)
        totals = programme.overview(db, reach.national(), gap.Filters(), k=1).totals
    assert [p["partner"] for p in giovani.partnerships] == ["Comune di Roma, APS Roma"]
    assert giovani.partnerships[0]["variant"] == "public_administration"
    assert giovani.partnerships[0]["instrument"] == "co_programming"
    assert [(i["title"], i["variant"]) for i in giovani.interventions] == [
        ("Doposcuola a Ostia", "completed")
    ]
    assert (totals["partnerships"], totals["partnerships_public"]) == (0, 1)
    assert totals["interventions"] == 1
    assert refs["waiting"] not in json.dumps(giovani.partnerships, default=str)


def test_the_community_page_lists_them_for_a_coordinator(
    database: Database, signed_in: Callable[..., FlaskClient]
) -> None:
    _recorded(database)
    _sent(database)
    seen = page(signed_in("community:giovani"), "/dashboard/communities?lang=en")
    assert "Comune di Roma, APS Roma" in seen
    assert "Doposcuola a Ostia" in seen
    assert "Rete doposcuola" not in seen
    assert "ODV Ostia" not in seen
    assert "In attesa" not in seen
