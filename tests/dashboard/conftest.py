"""A small programme of three scopes, counted, and coordinators signed in to see it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from opes_lti.accounts import services as accounts
from opes_lti.core.db import Database
from opes_lti.dashboard import rollups
from opes_lti.reporting import sources
from opes_lti.reporting.ingest import ingest
from tests.support.factories import event_json
from tests.support.signin import sign_in

PASSWORD = "una-password-lunga"
FRAMEWORK = "opes-progettazione"
START = datetime(2026, 3, 2, 10, tzinfo=UTC)


@dataclass(frozen=True)
class Group:
    """Learners of one scope, answering only the competences of one area."""

    scope: str
    area: str
    competences: tuple[str, ...]
    region: str
    organisation: str
    community: str
    learners: int = 8


GROUPS = [
    Group("region:12", "PS", ("PS.1", "PS.2"), "12", "aps-roma", "giovani"),
    Group("region:16", "GO", ("GO.1", "GO.2"), "16", "odv-bari", "welfare"),
    Group("organisation:coop-napoli", "RI", ("RI.1",), "15", "coop-napoli", "ambiente"),
]
#: A title each area shows: its presence in an answer means that area's data is there.
AREA_TITLES = {
    "PS": "Progettazione sociale",
    "GO": "Gestione dell&#39;organizzazione",
    "RI": "Reti e innovazione sociale",
}


def _events(group: Group) -> Iterator[dict[str, Any]]:
    for n in range(group.learners):
        actor = {
            "id": f"{group.organisation}-{n}",
            "role": "volunteer" if n % 2 else "manager",
            "organisation": group.organisation,
            "region": group.region,
        }
        yield event_json(
            "community.joined",
            actor=actor,
            payload={"community": group.community},
            occurred_at=START.isoformat(),
        )
        for code in group.competences:
            for phase, level, days in (("pre", 1 + n % 2, 0), ("post", 3 + n % 3, 40)):
                yield event_json(
                    actor=actor,
                    occurred_at=(START + timedelta(days=days)).isoformat(),
                    context={"platform": "moodle", "course": f"corso-{group.region}"},
                    payload={
                        "framework": FRAMEWORK,
                        "framework_version": "2026.1",
                        "competency": code,
                        "area": group.area,
                        "level": level,
                        "max_level": 5,
                        "phase": phase,
                    },
                )


@pytest.fixture
def programme(database: Database) -> Database:
    with database.sessions.begin() as db:
        source = sources.add_source(db, "tool-a").row
        caller = sources.Caller(source.id, source.name)
    events = [e for g in GROUPS for e in _events(g)]
    with database.sessions.begin() as db:
        ingest(db, caller, events)
    rollups.count_all(database.sessions)
    return database


@pytest.fixture
def signed_in(app: Flask, programme: Database) -> Callable[..., FlaskClient]:
    made = iter(range(1000))

    def sign(*scopes: str, role: str = "coordinator") -> FlaskClient:
        name = f"coord-{next(made)}"
        with programme.transaction() as db:
            accounts.add_account(db, name, PASSWORD, role, scopes)
        client = app.test_client()
        assert sign_in(client, name, PASSWORD).status_code == 302
        return client

    return sign


def page(client: FlaskClient, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.status_code, answer.get_data(as_text=True)[:300])
    if url.split("?")[0].endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(answer.data)) as book:
            return "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
    return answer.get_data(as_text=True)
