"""Files a group hands in or shares: checked by content, stored outside the database.

The bytes go to a :class:`FileStore` (a local folder in the embedded default; another
store, such as an object store, implements the same three calls). A file's type is what
its content is, never what its name or the browser claims: a script renamed ``.pdf`` is
refused. Served files carry headers that stop a browser from running them.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.core.db import utcnow
from opes_lti.core.settings import Settings
from opes_lti.groups import filekinds
from opes_lti.groups.filekinds import MOST_BYTES, content_type, safe_name
from opes_lti.groupwork import membership
from opes_lti.groupwork.errors import GroupworkError
from opes_lti.groupwork.models import Exercise, Group, GroupFile, Submission


class FileStore(Protocol):
    """Where the bytes live. Nothing here deletes: purging is an explicit, recorded act."""

    def put(self, data: bytes) -> str:
        """Store ``data``; the key to read it back."""

    def get(self, key: str) -> bytes:
        """The bytes stored under ``key``."""

    def has(self, key: str) -> bool:
        """Whether ``key`` is stored."""


def store_for(settings: Settings) -> FileStore:
    """The store the settings name (both faces of the tool ask here)."""
    return LocalFolder(settings.files_folder)


class LocalFolder:
    """A folder on this machine, one file per key, written whole or not at all."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{32}", key):
            raise KeyError(key)
        return self.root / key[:2] / key

    def put(self, data: bytes) -> str:
        """Store ``data`` under a new random key."""
        key = uuid.uuid4().hex
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        os.replace(partial, path)  # readers never see half a file
        return key

    def get(self, key: str) -> bytes:
        """The bytes under ``key``."""
        return self._path(key).read_bytes()

    def has(self, key: str) -> bool:
        """Whether ``key`` names a stored file."""
        try:
            return self._path(key).is_file()
        except KeyError:
            return False


def upload(
    db: Session, store: FileStore, exercise: Exercise, group: Group, user: str,
    filename: str, data: bytes,
) -> GroupFile:  # fmt: skip
    """A member's file, checked and stored; refused whole when it cannot be taken."""
    mine = membership.membership_of(db, exercise, user)
    if mine is None or mine.group_id != group.id:
        raise GroupworkError("not_member")
    if db.scalar(sa.select(Submission.id).where(Submission.group_id == group.id)):
        raise GroupworkError("submitted")
    if not data:
        raise GroupworkError("empty_file")
    if len(data) > MOST_BYTES:
        raise GroupworkError("file_too_large", str(MOST_BYTES))
    kind = content_type(data)
    if kind is None:
        raise GroupworkError("file_type")
    row = GroupFile(
        group_id=group.id,
        key=store.put(data),
        filename=safe_name(filename),
        content_type=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
    )
    db.add(row)
    db.flush()
    return row


def files_of(db: Session, group: Group) -> list[GroupFile]:
    """The group's files still shared, newest first."""
    return list(
        db.scalars(
            sa.select(GroupFile)
            .where(GroupFile.group_id == group.id, GroupFile.withdrawn_at.is_(None))
            .order_by(GroupFile.uploaded_at.desc(), GroupFile.id.desc())
        )
    )


def readable(
    db: Session, exercise: Exercise, file_id: int, user: str, instructor: bool
) -> GroupFile:
    """A file of this exercise the asker may read, or why not.

    Its group's members, past and present (a former member keeps what they shared), and
    the instructors read it.
    """
    found = db.get(GroupFile, file_id)
    group = db.get(Group, found.group_id) if found is not None else None
    if found is None or group is None or group.exercise_id != exercise.id:
        raise GroupworkError("no_such_file")
    if not instructor and not any(m.user == user for m in membership.history(db, group)):
        raise GroupworkError("not_member")
    return found


def withdraw(db: Session, exercise: Exercise, group: Group, user: str, file_id: int) -> None:
    """A member takes a file back before submission; its bytes and row are kept."""
    found = readable(db, exercise, file_id, user, instructor=False)
    mine = membership.membership_of(db, exercise, user)
    if mine is None or mine.group_id != group.id or found.group_id != group.id:
        raise GroupworkError("not_member")
    if db.scalar(sa.select(Submission.id).where(Submission.file_id == found.id)):
        raise GroupworkError("submitted")
    found.withdrawn_at = utcnow()
    db.flush()


def headers(row: GroupFile) -> dict[str, str]:
    """What a served file is sent with: downloaded, never sniffed, never run."""
    return filekinds.served_headers(row.filename, row.content_type)
