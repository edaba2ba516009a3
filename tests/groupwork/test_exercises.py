"""Placed exercises: made once per placement, settings checked, copies start from the source."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from opes_lti.core.db import Database
from opes_lti.groups.settings import SettingsError
from opes_lti.groupwork import exercises
from opes_lti.groupwork.models import Exercise
from opes_lti.lti.registrations import add_platform
from tests.groupwork.conftest import settings, where
from tests.support.factories import platform_spec
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
        # Something that is not a key (a course copied from another tool) falls back to
        # the parameters, with a key of its own.
        other = exercises.open_exercise(db, where(platform_id, "x"), settings(), "no-such")
        assert exercises.settings_of(other).most == 3
        assert other.config_key not in ("no-such", key)


def test_the_first_placement_takes_the_key_its_link_was_made_with(
    database: Database, platform_id: int
) -> None:
    key = "0b0e7d2c-5a55-4f0e-8f53-3c1f3b7c2a11"
    with database.transaction() as db:
        first = exercises.open_exercise(db, where(platform_id, "made"), settings(most=5), key)
        db.flush()
        assert first.config_key == key
        copy = exercises.open_exercise(db, where(platform_id, "copied"), settings(), key)
        assert exercises.settings_of(copy).most == 5


def test_a_key_never_copies_another_platforms_design(database: Database, platform_id: int) -> None:
    with database.transaction() as db:
        source = exercises.open_exercise(db, where(platform_id, "theirs"), settings(most=4))
        db.flush()
        other = add_platform(db, platform_spec("https://other.example")).id
        mine = exercises.open_exercise(db, where(other, "mine"), settings(), source.config_key)
        assert exercises.settings_of(mine).most == 3


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
