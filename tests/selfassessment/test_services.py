"""The answer store under concurrent saves of one learner."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from opes_lti.competencies import builtin
from opes_lti.competencies.questionnaire import Setup
from opes_lti.core.db import Database
from opes_lti.lti.registrations import add_platform
from opes_lti.selfassessment import services
from opes_lti.selfassessment.models import AnswerSet
from tests.support.factories import platform_spec

SPEC = platform_spec("https://lms.example")


def test_concurrent_saves_of_one_learner_keep_every_answer(database: Database) -> None:
    with database.transaction() as db:
        platform_id = add_platform(db, SPEC).id
    setup = Setup(builtin.load(builtin.DEFAULT), "pre")
    where = services.Placement(platform_id, "course", "link", setup)
    codes = setup.codes()[:8]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(codes))

    def save(code: str) -> None:
        try:
            barrier.wait()
            with database.transaction() as db:
                services.save(db, where, "learner", {code: 3})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with database.sessions() as db:
        rows = db.scalars(sa.select(AnswerSet)).all()
    assert len(rows) == 1
    assert rows[0].answers == dict.fromkeys(codes, 3)
