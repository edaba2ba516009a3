"""Partnerships and interventions on both databases: who records, confirms, withdraws."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.communities import access, library, meeting, meetings, partnership, registry, services
from opes_lti.communities.access import Asker, RecordError
from opes_lti.communities.models import Registered, RegisteredChange
from opes_lti.communities.origin import Origin
from opes_lti.communities.practice import parse as parse_practice
from opes_lti.communities.spec import parse
from opes_lti.core.db import Database, utcnow
from opes_lti.events.domain import Context
from opes_lti.events.models import OutboxEntry
from opes_lti.learners.profile import Profile

HERE = Origin("tool-test", Context(platform="lti", platform_id="https://lms.example", course="c1"))
ANNA = Asker("anna")
BRUNO = Asker("bruno")
CARLA = Asker("carla")  # coordinator of giovani
NATIONAL = Asker("nora", national=True)
OLGA = Asker("olga")  # coordinator of anziani only
VISITOR = Asker("vera")

PARTNERSHIP = {
    "title": "Sportello giovani",
    "organisations": ["APS Roma"],
    "public_bodies": [{"kind": "municipality", "name": "Comune di Roma", "role": "ente capofila"}],
    "act": "co_design",
    "since": "2027-02-01",
    "region": "12",
}
INTERVENTION = {"title": "Doposcuola", "regions": ["12", "16"], "status": "planned"}


@pytest.fixture
def db_ready(database: Database) -> Database:
    with database.transaction() as db:
        for slug in ("giovani", "anziani"):
            services.add(db, parse({"slug": slug, "name": slug.title()}))
        for user in ("anna", "bruno", "carla"):
            services.join(db, services.find(db, "giovani"), user, Profile(), HERE.context, "t")
        services.join(db, services.find(db, "anziani"), "olga", Profile(), HERE.context, "t")
        access.appoint(db, services.find(db, "giovani"), NATIONAL, 3, coordinator=True)
        access.appoint(db, services.find(db, "anziani"), NATIONAL, 1, coordinator=True)
    return database


def _record(database: Database, raw: dict[str, Any] = PARTNERSHIP, who: Asker = ANNA,
            slug: str = "giovani") -> str:  # fmt: skip
    kind: partnership.Kind = "partnership" if "act" in raw else "intervention"
    with database.transaction() as db:
        spec = partnership.parse(kind, raw)
        return registry.record(db, services.find(db, slug), who, spec).ref


def _events(database: Database) -> list[tuple[str, dict[str, Any]]]:
    with database.sessions() as db:
        rows = db.scalars(sa.select(OutboxEntry).order_by(OutboxEntry.seq)).all()
        return [
            (r.event_type, json.loads(r.body)["payload"])
            for r in rows
            if r.event_type != "community.joined"
        ]


def _do(database: Database, action: Any) -> Any:
    with database.transaction() as db:
        return action(db)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [(ANNA, True), (CARLA, True), (NATIONAL, True), (OLGA, False), (VISITOR, False)],
)
def test_registry_members_record_and_nobody_else(
    db_ready: Database, who: Asker, allowed: bool
) -> None:
    if allowed:
        ref = _record(db_ready, who=who)
        with db_ready.sessions() as db:
            row = registry.find(db, ref)
            assert (row.state, row.author, row.kind) == ("submitted", who.user, "partnership")
    else:
        with pytest.raises(RecordError) as caught:
            _record(db_ready, who=who)
        assert caught.value.what == "not_allowed"
        with db_ready.sessions() as db:
            assert db.scalar(sa.select(sa.func.count()).select_from(Registered)) == 0


@pytest.mark.parametrize(
    ("who", "allowed"),
    [(ANNA, False), (BRUNO, False), (CARLA, True), (NATIONAL, True), (OLGA, False),
     (VISITOR, False)],
)  # fmt: skip
def test_registry_only_the_community_s_coordinators_confirm(
    db_ready: Database, who: Asker, allowed: bool
) -> None:
    ref = _record(db_ready)
    if not allowed:
        with pytest.raises(RecordError) as caught:
            _do(db_ready, lambda db: registry.confirm(db, ref, who, HERE))
        assert caught.value.what == "not_allowed"
        with pytest.raises(RecordError):
            _do(db_ready, lambda db: registry.send_back(db, ref, who, "no"))
        assert _events(db_ready) == []
        return
    _do(db_ready, lambda db: registry.confirm(db, ref, who, HERE))
    [(kind, payload)] = _events(db_ready)
    assert kind == "community.partnership_recorded"
    assert payload["partner_kind"] == "public_administration"
    assert (payload["partnership"], payload["community"]) == (ref, "giovani")
    assert payload["instrument"] == "co_design"


def test_registry_unconfirmed_records_are_read_only_by_author_and_coordinators(
    db_ready: Database,
) -> None:
    ref = _record(db_ready)
    with db_ready.sessions() as db:
        for who, reads in ((ANNA, True), (CARLA, True), (NATIONAL, True), (BRUNO, False),
                           (OLGA, False), (VISITOR, False)):  # fmt: skip
            assert registry.readable(db, registry.find(db, ref), who) is reads, who
        giovani = services.find(db, "giovani")
        assert registry.listed(db, giovani, "partnership") == []
        assert [r.ref for r in registry.mine(db, giovani, ANNA, "partnership")] == [ref]
        assert [r.ref for r in registry.to_confirm(db, giovani, CARLA, "partnership")] == [ref]
        with pytest.raises(RecordError):
            registry.to_confirm(db, giovani, OLGA, "partnership")
    _do(db_ready, lambda db: registry.confirm(db, ref, CARLA, HERE))
    with db_ready.sessions() as db:
        assert registry.readable(db, registry.find(db, ref), VISITOR)
        giovani = services.find(db, "giovani")
        assert [r.ref for r in registry.listed(db, giovani, "partnership")] == [ref]
        assert registry.mine(db, giovani, ANNA, "partnership") == []


def test_registry_returned_with_a_comment_edited_and_confirmed_keeps_its_history(
    db_ready: Database,
) -> None:
    ref = _record(db_ready)
    with pytest.raises(RecordError) as caught:
        _do(db_ready, lambda db: registry.send_back(db, ref, CARLA, "  "))
    assert caught.value.what == "comment_needed"
    _do(db_ready, lambda db: registry.send_back(db, ref, CARLA, "Manca il protocollo"))
    with pytest.raises(RecordError) as caught:
        _do(db_ready, lambda db: registry.confirm(db, ref, CARLA, HERE))
    assert caught.value.what == "wrong_state"
    fixed = partnership.parse("partnership", PARTNERSHIP | {"act_reference": "Prot. 12/2027"})
    with pytest.raises(RecordError) as caught:  # not the author
        _do(db_ready, lambda db: registry.edit(db, ref, BRUNO, fixed))
    assert caught.value.what == "not_allowed"
    _do(db_ready, lambda db: registry.edit(db, ref, ANNA, fixed))
    _do(db_ready, lambda db: registry.confirm(db, ref, CARLA, HERE))
    # Once confirmed, it is no longer edited: it is withdrawn and recorded anew.
    with pytest.raises(RecordError) as caught:
        _do(db_ready, lambda db: registry.edit(db, ref, ANNA, fixed))
    assert caught.value.what == "wrong_state"
    with db_ready.sessions() as db:
        row = registry.find(db, ref)
        steps = [(c.move, c.state, c.by) for c in registry.history(db, row)]
        assert steps == [
            ("record", "submitted", "anna"),
            ("return", "returned", "carla"),
            ("edit", "submitted", "anna"),
            ("confirm", "confirmed", "carla"),
        ]
        assert registry.history(db, row)[0].sheet["act_reference"] == ""
        assert row.sheet["act_reference"] == "Prot. 12/2027"
        assert row.comment == ""


def test_registry_a_withdrawn_record_is_kept_and_told_only_if_it_counted(
    db_ready: Database,
) -> None:
    waiting, confirmed = _record(db_ready), _record(db_ready)
    _do(db_ready, lambda db: registry.confirm(db, confirmed, CARLA, HERE))
    _do(db_ready, lambda db: registry.withdraw(db, waiting, ANNA, HERE))
    assert [k for k, _ in _events(db_ready)] == ["community.partnership_recorded"]
    # A coordinator takes down a confirmed one: the correction follows.
    _do(db_ready, lambda db: registry.withdraw(db, confirmed, CARLA, HERE, "doppione"))
    kinds = [(k, p.get("record"), p.get("id", p.get("partnership"))) for k, p in _events(db_ready)]
    assert kinds[-1] == ("community.record_withdrawn", "partnership", confirmed)
    with db_ready.sessions() as db:
        assert {r.state for r in db.scalars(sa.select(Registered))} == {"withdrawn"}
        with pytest.raises(RecordError):
            registry.withdraw(db, confirmed, CARLA, HERE)


def test_registry_an_intervention_counts_once_started_and_again_when_completed(
    db_ready: Database,
) -> None:
    ref = _record(db_ready, INTERVENTION)
    _do(db_ready, lambda db: registry.confirm(db, ref, CARLA, HERE))
    assert _events(db_ready) == []  # planned: not yet started
    with pytest.raises(RecordError):  # members do not move it on
        _do(db_ready, lambda db: registry.progress(db, ref, ANNA, "running", HERE))
    started = meeting.local(utcnow()).date() - timedelta(days=30)
    _do(db_ready, lambda db: registry.progress(db, ref, CARLA, "running", HERE, started))
    [(kind, payload)] = _events(db_ready)
    assert (kind, payload["status"], payload["regions"]) == (
        "community.intervention_recorded", "started", ["12", "16"],
    )  # fmt: skip
    with pytest.raises(RecordError) as caught:  # never back
        _do(db_ready, lambda db: registry.progress(db, ref, CARLA, "planned", HERE))
    assert caught.value.what == "wrong_state"
    with pytest.raises(RecordError):  # cannot end before it started
        _do(db_ready, lambda db: registry.progress(db, ref, CARLA, "completed", HERE,
                                                   started - timedelta(days=1)))  # fmt: skip
    _do(db_ready, lambda db: registry.progress(db, ref, CARLA, "completed", HERE))
    told = _events(db_ready)
    assert [k for k, _ in told[1:]] == ["community.record_withdrawn",
                                        "community.intervention_recorded"]  # fmt: skip
    assert told[-1][1]["status"] == "completed"
    with db_ready.sessions() as db:
        row = registry.find(db, ref)
        assert (row.status, row.sheet["started_on"]) == ("completed", started.isoformat())
        assert row.sheet["ended_on"] == meeting.local(utcnow()).date().isoformat()
        assert [c.status for c in registry.history(db, row)] == [
            "planned",
            "planned",
            "running",
            "completed",
        ]


def test_registry_links_only_to_this_community_s_published_practices_and_meetings(
    db_ready: Database,
) -> None:
    with db_ready.transaction() as db:
        giovani, anziani = services.find(db, "giovani"), services.find(db, "anziani")
        sheet = parse_practice({"title": "Buona pratica", "problem": "p", "audience": "a",
                                "actions": "x", "results": "r"})  # fmt: skip
        draft = library.write(db, giovani, ANNA, sheet).ref
        published = library.write(db, giovani, ANNA, sheet).ref
        library.submit(db, published, ANNA)
        library.publish(db, published, CARLA, HERE)
        elsewhere = library.write(db, anziani, OLGA, sheet).ref
        spec = meeting.parse({"starts_at": utcnow() + timedelta(days=3), "minutes": 60,
                              "mode": "online", "link": "https://meet.example/r"})  # fmt: skip
        ours = meetings.schedule(db, giovani, CARLA, spec).ref
        theirs = meetings.schedule(db, anziani, OLGA, spec).ref
    for bad, problem in ((draft, "no_such_practice"), (elsewhere, "no_such_practice")):
        with pytest.raises(RecordError) as caught:
            _record(db_ready, INTERVENTION | {"practices": [bad]})
        assert caught.value.what == problem
    with pytest.raises(RecordError) as caught:
        _record(db_ready, INTERVENTION | {"meetings": [theirs]})
    assert caught.value.what == "no_such_meeting"
    ref = _record(db_ready, INTERVENTION | {"practices": [published], "meetings": [ours]})
    with db_ready.sessions() as db:
        practices, held = registry.links(db, registry.find(db, ref))
        assert ([p.ref for p in practices], [m.ref for m in held]) == ([published], [ours])
        assert db.scalar(sa.select(sa.func.count()).select_from(Registered)) == 1


def test_registry_a_closed_community_takes_no_new_record(db_ready: Database) -> None:
    with db_ready.transaction() as db:
        services.find(db, "giovani").disabled_at = utcnow()
    with pytest.raises(services.CommunityError):
        _record(db_ready)


ACTIONS = ("record", "confirm", "return", "edit", "withdraw", "progress")
PEOPLE = (ANNA, BRUNO, CARLA, NATIONAL, OLGA, VISITOR)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(ACTIONS),
            st.sampled_from(PEOPLE),
            st.sampled_from(partnership.KINDS),
            st.sampled_from(partnership.STAGES),
            st.integers(0, 3),
        ),
        min_size=1,
        max_size=14,
    )
)
def test_registry_whatever_anyone_tries_each_record_is_counted_once_if_it_stands(
    db_ready: Database, steps: list[tuple[str, Asker, str, str, int]]
) -> None:
    """After any sequence of tries by anyone, the events told about each record add up
    to one count exactly for the records that count now, and a refused try writes
    nothing: no history line, no event."""
    with db_ready.transaction() as db:
        for model in (OutboxEntry, RegisteredChange, Registered):
            db.execute(sa.delete(model).where(
                sa.true() if model is not OutboxEntry
                else OutboxEntry.event_type != "community.joined"
            ))  # fmt: skip
    refs: list[str] = []
    for action, who, kind, stage, which in steps:
        raw: dict[str, Any] = PARTNERSHIP if kind == "partnership" else INTERVENTION
        before = _written(db_ready)
        try:
            with db_ready.transaction() as db:
                if action == "record" or not refs:
                    spec = partnership.parse(kind, raw)  # type: ignore[arg-type]
                    refs.append(registry.record(db, services.find(db, "giovani"), who, spec).ref)
                    continue
                ref = refs[which % len(refs)]
                if action == "confirm":
                    registry.confirm(db, ref, who, HERE)
                elif action == "return":
                    registry.send_back(db, ref, who, "da rivedere")
                elif action == "edit":
                    row = registry.find(db, ref)
                    registry.edit(db, ref, who, registry.spec_of(row))
                elif action == "withdraw":
                    registry.withdraw(db, ref, who, HERE)
                else:
                    registry.progress(db, ref, who, stage, HERE, date(2027, 1, 1))  # type: ignore[arg-type]
        except RecordError:
            assert _written(db_ready) == before, (action, who)
    standing: dict[str, int] = {}
    for kind, payload in _events(db_ready):
        ref = payload.get("partnership") or payload.get("intervention") or payload["id"]
        standing[ref] = standing.get(ref, 0) + (-1 if kind == "community.record_withdrawn" else 1)
    with db_ready.sessions() as db:
        for row in db.scalars(sa.select(Registered)):
            assert standing.get(row.ref, 0) == int(partnership.counts(row.state, row.status)), (
                row.ref
            )


def _written(database: Database) -> tuple[int, int]:
    with database.sessions() as db:
        return (
            db.scalar(sa.select(sa.func.count()).select_from(RegisteredChange)) or 0,
            db.scalar(sa.select(sa.func.count()).select_from(OutboxEntry)) or 0,
        )
