"""The one error group work raises: what went wrong, as a code a page says in words."""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal

What = Literal[
    "not_instructor",
    "not_member",
    "no_group",
    "already_in_group",
    "already_formed",
    "group_full",
    "group_closed",
    "no_such_group",
    "no_such_member",
    "submitted",
    "not_submitted",
    "refused_late",
    "nothing_to_submit",
    "stale_confirmation",
    "bad_link",
    "too_long",
    "no_such_version",
    "disabled",
    "empty_file",
    "file_too_large",
    "file_type",
    "no_such_file",
    "no_rubric",
    "no_reviews",
    "reviews_started",
    "too_few_submissions",
    "no_such_review",
    "reviewed",
    "bad_review",
    "not_yet",
    "bad_rating",
    "bad_grade",
    "not_graded",
    "team_group",
    "marks_closed",
]


#: The HTTP answer a view gives: 403 for who is asking, 404 for what does not exist,
#: 400 for input; anything else is a state that forbids it now (409).
STATUS = MappingProxyType(
    {
        "not_instructor": 403,
        "not_member": 403,
        "no_such_group": 404,
        "no_such_member": 404,
        "no_such_version": 400,
        "bad_link": 400,
        "too_long": 400,
        "empty_file": 400,
        "file_too_large": 413,
        "file_type": 415,
        "no_such_file": 404,
        "no_such_review": 404,
        "bad_review": 400,
        "bad_rating": 400,
        "bad_grade": 400,
    }
)


class GroupworkError(Exception):
    """A request group work cannot take; nothing was changed."""

    def __init__(self, what: What, detail: str = "") -> None:
        super().__init__(f"{what}: {detail}" if detail else what)
        self.what = what
        self.detail = detail

    @property
    def status(self) -> int:
        """The HTTP status a view answers with."""
        return STATUS.get(self.what, 409)
