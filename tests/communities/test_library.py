"""The practice library on both databases: who may do what, what is told, what is found."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from opes_lti.communities import access, library, practice, services
from opes_lti.communities.access import Asker, RecordError
from opes_lti.communities.models import Practice, PracticeChange, PracticeFile
from opes_lti.communities.origin import Origin
from opes_lti.communities.spec import parse
from opes_lti.core.db import Database
from opes_lti.events.domain import Context
from opes_lti.events.models import OutboxEntry
from opes_lti.learners.profile import Profile

HERE = Origin("tool-test", Context(platform="lti", platform_id="https://lms.example", course="c1"))
ANNA = Asker("anna")
BRUNO = Asker("bruno")
CARLA = Asker("carla")  # coordinator of giovani
NATIONAL = Asker("nora", national=True)
OUTSIDER = Asker("olga")
SHEET: dict[str, Any] = {
    "title": "Doposcuola in rete",
    "problem": "<p>Dispersione scolastica nelle periferie della città</p>",
    "audience": "Ragazze e ragazzi delle medie",
    "actions": "Attività pomeridiane con i volontari",
    "results": "Meno abbandoni",
    "region": "16",
    "organisations": ["aps-12"],
    "themes": ["scuola"],
}


@pytest.fixture
def db_ready(database: Database) -> Database:
    with database.transaction() as db:
        for slug in ("giovani", "anziani"):
            services.add(db, parse({"slug": slug, "name": slug.title()}))
        for user in ("anna", "bruno", "carla"):
            services.join(db, services.find(db, "giovani"), user, Profile(), HERE.context, "t")
        services.join(db, services.find(db, "anziani"), "olga", Profile(), HERE.context, "t")
        access.appoint(db, services.find(db, "giovani"), NATIONAL, 3, coordinator=True)
    return database


def _write(database: Database, who: Asker = ANNA, sheet: dict[str, Any] = SHEET) -> str:
    with database.transaction() as db:
        return library.write(db, services.find(db, "giovani"), who, practice.parse(sheet)).ref


def _published(database: Database, sheet: dict[str, Any] = SHEET) -> str:
    ref = _write(database, ANNA, sheet)
    with database.transaction() as db:
        library.submit(db, ref, ANNA)
        library.publish(db, ref, CARLA, HERE)
    return ref


def _events(database: Database) -> list[tuple[str, dict[str, Any]]]:
    with database.sessions() as db:
        rows = db.scalars(sa.select(OutboxEntry).order_by(OutboxEntry.seq)).all()
        return [(r.event_type, json.loads(r.body)["payload"]) for r in rows]


def test_library_a_practice_goes_from_draft_to_published_and_is_told_once(
    db_ready: Database,
) -> None:
    ref = _write(db_ready)
    with db_ready.transaction() as db:
        library.submit(db, ref, ANNA)
        with pytest.raises(RecordError) as caught:
            library.send_back(db, ref, CARLA, "  ")
        assert caught.value.what == "comment_needed"
        library.send_back(db, ref, CARLA, "Aggiungi i risultati misurati")
    with db_ready.transaction() as db:
        assert library.find(db, ref).comment == "Aggiungi i risultati misurati"
        library.edit(db, ref, ANNA, practice.parse(SHEET | {"results": "Abbandoni -30%"}))
        library.submit(db, ref, ANNA)
        library.publish(db, ref, CARLA, HERE)
    shared = [p for t, p in _events(db_ready) if t == "community.practice_shared"]
    assert shared == [
        {"community": "giovani", "practice": ref, "title": "Doposcuola in rete", "theme": "scuola"}
    ]
    with db_ready.sessions() as db:
        row = library.find(db, ref)
        moves = [(c.move, c.state) for c in library.history(db, row)]
        assert moves == [
            ("write", "draft"), ("submit", "submitted"), ("return", "returned"),
            ("edit", "returned"), ("submit", "submitted"), ("publish", "published"),
        ]  # fmt: skip
        # The history keeps the sheet as it was at each step.
        assert library.history(db, row)[0].sheet["results"] == "Meno abbandoni"
        assert row.sheet["results"] == "Abbandoni -30%"


def test_library_withdrawing_a_published_practice_keeps_it_and_sends_the_correction(
    db_ready: Database,
) -> None:
    ref = _published(db_ready)
    with db_ready.transaction() as db:
        with pytest.raises(RecordError) as caught:
            library.withdraw(db, ref, BRUNO, HERE)  # another member's practice
        assert caught.value.status == 403
        library.withdraw(db, ref, CARLA, HERE, "dati personali nel testo")
    assert _events(db_ready)[-1] == (
        "community.record_withdrawn",
        {"community": "giovani", "record": "practice", "id": ref},
    )
    with db_ready.sessions() as db:
        assert db.scalar(sa.select(Practice.state).where(Practice.ref == ref)) == "withdrawn"
        assert library.library(db, None)[1] == 0
    # A draft withdrawn was never counted: no correction for it.
    draft = _write(db_ready)
    with db_ready.transaction() as db:
        library.withdraw(db, draft, ANNA, HERE)
    assert [t for t, _ in _events(db_ready)].count("community.record_withdrawn") == 1


@pytest.mark.parametrize(
    ("who", "allowed"),
    [(ANNA, False), (BRUNO, False), (CARLA, True), (NATIONAL, True), (OUTSIDER, False)],
)
def test_library_only_the_community_s_coordinators_publish(
    db_ready: Database, who: Asker, allowed: bool
) -> None:
    ref = _write(db_ready)
    with db_ready.transaction() as db:
        library.submit(db, ref, ANNA)
    if allowed:
        with db_ready.transaction() as db:
            assert library.publish(db, ref, who, HERE).state == "published"
    else:
        with db_ready.transaction() as db, pytest.raises(RecordError) as caught:
            library.publish(db, ref, who, HERE)
        assert caught.value.status == 403
        with db_ready.sessions() as db:
            assert library.find(db, ref).state == "submitted"


def test_library_a_coordinator_of_one_community_cannot_touch_another(
    db_ready: Database,
) -> None:
    with db_ready.transaction() as db:
        anziani = services.find(db, "anziani")
        ref = library.write(db, anziani, OUTSIDER, practice.parse(SHEET)).ref
        library.submit(db, ref, OUTSIDER)
    for act in (
        lambda db: library.publish(db, ref, CARLA, HERE),
        lambda db: library.send_back(db, ref, CARLA, "no"),
        lambda db: library.score(db, ref, CARLA, practice.parse_scores({"innovation": 4})),
        lambda db: library.withdraw(db, ref, CARLA, HERE),
        lambda db: library.to_review(db, services.find(db, "anziani"), CARLA),
        lambda db: library.write(db, services.find(db, "anziani"), CARLA, practice.parse(SHEET)),
        lambda db: access.appoint(db, services.find(db, "anziani"), CARLA, 1, True),
    ):
        with db_ready.transaction() as db, pytest.raises(RecordError) as caught:
            act(db)
        assert caught.value.status == 403
    with db_ready.sessions() as db:
        assert library.find(db, ref).state == "submitted"
        assert db.scalar(sa.select(sa.func.count()).select_from(Practice)) == 1


def test_library_unpublished_practices_exist_only_for_their_author_and_reviewers(
    db_ready: Database,
) -> None:
    ref = _write(db_ready)
    with db_ready.sessions() as db:
        for who in (ANNA, CARLA, NATIONAL):
            assert library.read(db, ref, who).ref == ref
        for who in (BRUNO, OUTSIDER):
            with pytest.raises(RecordError) as caught:
                library.read(db, ref, who)
            assert caught.value.status == 404
        for bad in ("", "x" * 32, "../etc/passwd", "0" * 31 + "\x00"):
            with pytest.raises(RecordError):
                library.find(db, bad)


def test_library_submitting_needs_what_review_reads(db_ready: Database) -> None:
    ref = _write(db_ready, ANNA, {"title": "Solo un'idea"})
    with db_ready.transaction() as db, pytest.raises(RecordError) as caught:
        library.submit(db, ref, ANNA)
    assert caught.value.what == "incomplete"
    assert caught.value.detail == "problem, audience, actions, results"


def test_library_scores_are_kept_per_coordinator_and_averaged(db_ready: Database) -> None:
    ref = _write(db_ready)
    with db_ready.transaction() as db:
        with pytest.raises(RecordError):  # a draft is not reviewed yet
            library.score(db, ref, CARLA, practice.parse_scores({"innovation": 2}))
        library.submit(db, ref, ANNA)
        library.score(db, ref, CARLA, practice.parse_scores({"innovation": 2}))
        library.score(db, ref, CARLA, practice.parse_scores({"innovation": 4, "efficiency": 3}))
        library.score(db, ref, NATIONAL, practice.parse_scores({"innovation": 5}))
    with db_ready.sessions() as db:
        means = library.scores_of(db, library.find(db, ref))
    assert means == {"innovation": 4.5, "efficiency": 3.0}


def test_library_files_are_checked_by_content_and_withdrawn_not_deleted(
    db_ready: Database,
) -> None:
    ref = _write(db_ready)
    with db_ready.transaction() as db:
        with pytest.raises(RecordError) as caught:
            library.attach(db, ref, ANNA, "virus.pdf", b"MZ\x90\x00\x03\x00\x00\x00" * 10)
        assert caught.value.status == 415
        with pytest.raises(RecordError) as caught:
            library.attach(db, ref, BRUNO, "notes.txt", b"hello")
        assert caught.value.status == 403
        added = library.attach(db, ref, ANNA, "../../scheda.txt", "Scheda attività".encode())
        assert added.name == "scheda.txt"
        assert added.kind == "text/plain"
        file_id = added.id
    with db_ready.transaction() as db:
        assert library.file_for(db, ref, file_id, CARLA).data == "Scheda attività".encode()
        with pytest.raises(RecordError):
            library.file_for(db, ref, file_id, BRUNO)  # not published: not BRUNO's to read
        library.withdraw_file(db, ref, file_id, ANNA)
    with db_ready.sessions() as db:
        assert library.files(db, library.find(db, ref)) == []
        assert db.get(PracticeFile, file_id) is not None


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("citta", True),  # unaccented, the text says "città"
        ("città", True),
        ("periferia", True),  # the text says "periferie": stems meet
        ("attivita pomeridiana", True),
        ("volontario", True),
        ("Dispersione   SCOLASTICA", True),
        ("dispersione -periferie", False),
        ("anziani", False),
        ("'); DROP TABLE practices; --", False),
        ('"', True),  # nothing to search by: every practice
        ("della", True),  # a common word only: every practice
    ],
)
def test_library_search_stems_folds_and_reads_any_input(
    db_ready: Database, query: str, found: bool
) -> None:
    ref = _published(db_ready)
    with db_ready.sessions() as db:
        rows, total = library.library(db, None, library.Query(text=query))
    assert ([r.ref for r in rows] == [ref]) is found
    assert total == (1 if found else 0)


def test_library_search_filters_and_lists_newest_first(db_ready: Database) -> None:
    first = _published(db_ready)
    second = _published(db_ready, SHEET | {"region": "12", "themes": ["lavoro", "giovani"]})
    _write(db_ready)  # a draft is never listed
    with db_ready.sessions() as db:
        giovani = services.find(db, "giovani")
        everything, total = library.library(db, giovani)
        assert [r.ref for r in everything] == [second, first]
        assert total == 2
        by_region = library.library(db, giovani, library.Query(region="16"))[0]
        assert [r.ref for r in by_region] == [first]
        by_theme = library.library(db, None, library.Query(theme="lavoro"))[0]
        assert [r.ref for r in by_theme] == [second]
        assert library.library(db, None, library.Query(theme="lavor"))[1] == 0
        assert library.library(db, None, library.Query(theme="%"))[1] == 0
        by_org = library.library(db, None, library.Query(organisation="aps-12"))[1]
        assert by_org == 2
        assert library.library(db, services.find(db, "anziani"))[1] == 0
        page = library.library(db, giovani, limit=1, offset=1)
        assert [r.ref for r in page[0]] == [first]
        assert page[1] == 2


def test_library_nothing_is_half_written_when_a_move_is_refused(db_ready: Database) -> None:
    ref = _write(db_ready)
    with db_ready.sessions() as db:
        before = db.scalar(sa.select(sa.func.count()).select_from(PracticeChange))
    with db_ready.transaction() as db, pytest.raises(RecordError):
        library.publish(db, ref, CARLA, HERE)  # a draft cannot be published
    with db_ready.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(PracticeChange)) == before
        assert library.find(db, ref).state == "draft"
    assert [t for t, _ in _events(db_ready)] == ["community.joined"] * 4
