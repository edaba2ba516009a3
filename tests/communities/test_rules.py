"""Every move of a shared record, by every role, as author or not, from every state."""

from __future__ import annotations

import itertools
from typing import get_args

import pytest

from opes_lti.communities import partnership, rules
from opes_lti.communities.rules import MoveRefused, moved, role_of

ROLES = get_args(rules.Role)
STATES = get_args(rules.State)
MOVES = get_args(rules.Move)


def _expected(state: str, move: str, role: str, author: bool) -> str | None:
    """The rule in words: authors write and submit their own; coordinators review;
    either withdraws; visitors do nothing. None: refused."""
    reviewer = role in ("coordinator", "national")
    writer = author and role != "visitor"
    if move in ("edit", "submit"):
        ok, starts = writer, {"draft", "returned"}
    elif move in ("publish", "return"):
        ok, starts = reviewer, {"submitted"}
    else:
        ok, starts = writer or reviewer, {"draft", "submitted", "returned", "published"}
    if not ok or state not in starts:
        return None
    return {"edit": state, "submit": "submitted", "publish": "published",
            "return": "returned", "withdraw": "withdrawn"}[move]  # fmt: skip


@pytest.mark.parametrize(
    ("state", "move", "role", "author"),
    list(itertools.product(STATES, MOVES, ROLES, (True, False))),
)
def test_rules_every_move_by_every_role(state: str, move: str, role: str, author: bool) -> None:
    want = _expected(state, move, role, author)
    if want is None:
        with pytest.raises(MoveRefused):
            moved(state, move, role, author, rules.MOVES)  # type: ignore[arg-type]
    else:
        assert moved(state, move, role, author, rules.MOVES) == want  # type: ignore[arg-type]


def _expected_record(state: str, move: str, role: str, author: bool) -> str | None:
    """A partnership's or an intervention's rule: its author edits it until it is
    confirmed; coordinators confirm or return it; either withdraws it."""
    confirmer = role in ("coordinator", "national")
    writer = author and role != "visitor"
    if move == "edit":
        ok, starts = writer, {"submitted", "returned"}
    elif move in ("confirm", "return"):
        ok, starts = confirmer, {"submitted"}
    else:
        ok, starts = writer or confirmer, {"submitted", "returned", "confirmed"}
    if not ok or state not in starts:
        return None
    return {"edit": "submitted", "confirm": "confirmed", "return": "returned",
            "withdraw": "withdrawn"}[move]  # fmt: skip


@pytest.mark.parametrize(
    ("state", "move", "role", "author"),
    list(
        itertools.product(
            get_args(partnership.State), get_args(partnership.Move), ROLES, (True, False)
        )
    ),
)
def test_rules_every_move_of_a_partnership_or_intervention(
    state: str, move: str, role: str, author: bool
) -> None:
    want = _expected_record(state, move, role, author)
    table = partnership.MOVES
    if want is None:
        with pytest.raises(MoveRefused):
            moved(state, move, role, author, table, overseer="confirm")  # type: ignore[arg-type]
    else:
        assert moved(state, move, role, author, table, overseer="confirm") == want  # type: ignore[arg-type]


def test_rules_a_refusal_says_whether_it_was_the_person_or_the_state() -> None:
    with pytest.raises(MoveRefused) as caught:
        moved("submitted", "publish", "member", True, rules.MOVES)
    assert caught.value.why == "not_allowed"
    with pytest.raises(MoveRefused) as caught:
        moved("published", "publish", "coordinator", False, rules.MOVES)
    assert caught.value.why == "wrong_state"


def test_rules_roles_from_membership_and_national_standing() -> None:
    assert role_of(True, None) == "national"
    assert role_of(True, "member") == "national"
    assert role_of(False, "coordinator") == "coordinator"
    assert role_of(False, "member") == "member"
    assert role_of(False, None) == "visitor"
    assert role_of(False, "anything else") == "visitor"
    assert [r for r in ROLES if rules.may(r, "appoint")] == ["national"]
    assert {r for r in ROLES if rules.may(r, "review")} == {"coordinator", "national"}
    assert all(rules.may(r, "read") for r in ROLES)
