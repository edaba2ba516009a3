"""Files: checked by their bytes, kept outside the database, read only by who may."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from opes_lti.core.db import Database
from opes_lti.groupwork import files, membership
from opes_lti.groupwork.errors import GroupworkError
from opes_lti.groupwork.models import Exercise, Group, GroupFile
from tests.groupwork.conftest import MakeExercise, joining

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_served_headers_never_let_the_browser_run_it() -> None:
    headers = files.headers(GroupFile(filename='prog"etto.pdf', content_type="application/pdf"))
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in headers["Content-Security-Policy"]


def test_the_local_folder_keeps_what_it_was_given(tmp_path: Path) -> None:
    store = files.LocalFolder(tmp_path / "files")
    key = store.put(PDF)
    assert store.has(key)
    assert store.get(key) == PDF
    assert not store.has("../../etc/passwd")
    with pytest.raises(KeyError):
        store.get("../secret_key")
    assert not list((tmp_path / "files").rglob("*.part"))


@pytest.fixture
def grouped(database: Database, make_exercise: MakeExercise) -> tuple[int, int, int]:
    """An exercise with a file deliverable; anna in one group, carla in another."""
    exercise_id = make_exercise(formation="instructor", deliverable="file")
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        mine, theirs = membership.new_group(db, exercise), membership.new_group(db, exercise)
        membership.move(db, exercise, joining("anna"), mine.id, "t")
        membership.move(db, exercise, joining("carla"), theirs.id, "t")
        return exercise_id, mine.id, theirs.id


def _upload(database: Database, store: files.FileStore, exercise_id: int, group_id: int,
            user: str, data: bytes, name: str = "progetto.pdf") -> int:  # fmt: skip
    with database.transaction() as db:
        exercise, group = db.get(Exercise, exercise_id), db.get(Group, group_id)
        assert exercise is not None
        assert group is not None
        return files.upload(db, store, exercise, group, user, name, data).id


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"", "empty_file"),
        (b"#!/bin/sh\nrm -rf /\n\x00", "file_type"),
        (b"x" * (files.MOST_BYTES + 1), "file_too_large"),
    ],
)
def test_a_refused_upload_stores_nothing(
    database: Database, tmp_path: Path, grouped: tuple[int, int, int], data: bytes, what: str
) -> None:
    store = files.LocalFolder(tmp_path / "files")
    exercise_id, mine, _ = grouped
    with pytest.raises(GroupworkError) as caught:
        _upload(database, store, exercise_id, mine, "anna", data, "innocuo.pdf")
    assert caught.value.what == what
    assert 400 <= caught.value.status < 500
    with database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(GroupFile)) == 0
    assert not (tmp_path / "files").exists()


def test_only_the_group_and_the_instructors_read_a_file(
    database: Database, tmp_path: Path, grouped: tuple[int, int, int]
) -> None:
    store = files.LocalFolder(tmp_path / "files")
    exercise_id, mine, theirs = grouped
    with pytest.raises(GroupworkError) as caught:
        _upload(database, store, exercise_id, mine, "carla", PDF)
    assert caught.value.status == 403
    file_id = _upload(database, store, exercise_id, mine, "anna", PDF, "C:\\tmp\\Progetto.pdf")
    with database.transaction() as db:
        exercise = db.get(Exercise, exercise_id)
        assert exercise is not None
        row = files.readable(db, exercise, file_id, "anna", instructor=False)
        assert row.filename == "Progetto.pdf"
        assert store.get(row.key) == PDF
        assert files.readable(db, exercise, file_id, "teacher", instructor=True) is row
        with pytest.raises(GroupworkError):
            files.readable(db, exercise, file_id, "carla", instructor=False)
        # Anna moves to Carla's group: she still reads what she shared.
        membership.move(db, exercise, joining("anna"), theirs, "t")
        assert files.readable(db, exercise, file_id, "anna", instructor=False) is row
        with pytest.raises(GroupworkError):  # and may no longer withdraw it
            files.withdraw(db, exercise, db.get(Group, mine), "anna", file_id)  # type: ignore[arg-type]


def test_a_file_of_another_exercise_is_no_such_file(
    database: Database, tmp_path: Path, grouped: tuple[int, int, int], make_exercise: MakeExercise
) -> None:
    store = files.LocalFolder(tmp_path / "files")
    exercise_id, mine, _ = grouped
    file_id = _upload(database, store, exercise_id, mine, "anna", PDF)
    other_id = make_exercise()
    with database.sessions() as db:
        other = db.get(Exercise, other_id)
        assert other is not None
        with pytest.raises(GroupworkError) as caught:
            files.readable(db, other, file_id, "teacher", instructor=True)
    assert caught.value.status == 404
