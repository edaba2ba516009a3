"""Placed exercises: made once per placement, settings checked, copies start from the source."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from opes_lti.core.db import Database
from opes_lti.groups.settings import SettingsError
from opes_lti.groupwork import exercises
from opes_lti.groupwork.models import Exercise
from tests.groupwork.conftest import settings, where
from tests.support.together import at_once


def test_a_placement_is_made_once_and_found_after(database: Database, platform_id: int) -> None:
    with database.transaction() as db:
        first = exercises.open_exercise(db, where(platform_id, "a"), settings())
        db.flush()
        again = exercises.open_exercise(db, where(platform_id, "a"), settings(title="Other"))
    assert again.id == first.id
    assert exercises.settings_of(again).title == "Progettare per un bando"
    assert exercises.context_of(again).activity == "a"


def test_settings_that_cannot_be_used_store_nothing(database: Database, platform_id: int) -> None:
    with pytest.raises(SettingsError) as caught, database.transaction() as db:
        exercises.open_exercise(db, where(platform_id, "bad"), settings(least=6, most=2))
    assert "least" in str(caught.value)
    with database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(Exercise)) == 0


def test_a_copied_course_starts_from_the_source_settings(
    database: Database, platform_id: int
) -> None:
    with database.transaction() as db:
        source = exercises.open_exercise(db, where(platform_id, "orig"), settings(most=4))
        db.flush()
        key = source.config_key
    with database.transaction() as db:
        copy = exercises.open_exercise(db, where(platform_id, "copy"), settings(), key)
        db.flush()
        assert copy.id != source.id
        assert exercises.settings_of(copy).most == 4
        # An unknown key (a course copied from another tool) falls back to the parameters.
        other = exercises.open_exercise(db, where(platform_id, "x"), settings(), "no-such")
        assert exercises.settings_of(other).most == 3


def test_two_first_launches_at_once_make_one_exercise(database: Database, platform_id: int) -> None:
    def launch() -> int:
        with database.transaction() as db:
            found = exercises.open_exercise(db, where(platform_id, "race"), settings())
            db.flush()
            return found.id

    ids = at_once(launch, [()] * 4)
    assert all(isinstance(i, int) for i in ids), ids
    assert len(set(ids)) == 1


def test_a_placement_is_on_a_platform_or_a_site() -> None:
    context = where(1, "a").context
    with pytest.raises(ValueError, match="not both"):
        exercises.Where(context, "a", platform_id=1, site_id=2)
    with pytest.raises(ValueError, match="not both"):
        exercises.Where(context, "a")
