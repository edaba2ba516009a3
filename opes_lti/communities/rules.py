"""Who may do what in a community, and how a shared record moves (pure).

Three roles act in a community: a member, the community's coordinator, and a national
coordinator, who coordinates every community. Anyone else who opens it is a visitor,
who reads what is published and may join. Every service checks :func:`may` before it
writes, so a page and the block cannot disagree on a right.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Role = Literal["visitor", "member", "coordinator", "national"]
Right = Literal[
    "read",  # the published practices, the meetings, the confirmed records
    "share",  # write a practice, record a partnership or an intervention, check in
    "review",  # publish or return a practice, score it, withdraw anyone's record
    "schedule",  # schedule meetings and record their attendance
    "confirm",  # confirm a partnership or an intervention
    "appoint",  # make a member the community's coordinator, or a coordinator a member
]
_ALL: frozenset[Role] = frozenset({"visitor", "member", "coordinator", "national"})
_MEMBERS: frozenset[Role] = frozenset({"member", "coordinator", "national"})
_COORDINATORS: frozenset[Role] = frozenset({"coordinator", "national"})
RIGHTS: dict[Right, frozenset[Role]] = {
    "read": _ALL,
    "share": _MEMBERS,
    "review": _COORDINATORS,
    "schedule": _COORDINATORS,
    "confirm": _COORDINATORS,
    "appoint": frozenset({"national"}),
}


def role_of(national: bool, membership_role: str | None) -> Role:
    """A person's role in one community: national everywhere, else by their membership."""
    if national:
        return "national"
    if membership_role == "coordinator":
        return "coordinator"
    return "member" if membership_role == "member" else "visitor"


def may(role: Role, right: Right) -> bool:
    """Whether ``role`` has ``right``."""
    return role in RIGHTS[right]


State = Literal["draft", "submitted", "published", "returned", "withdrawn"]
Move = Literal["edit", "submit", "publish", "return", "withdraw"]

#: Each move: the states it starts from, the state it leads to (None: stays), and who
#: makes it: the author, or whoever has the right to review.
MOVES: dict[Move, tuple[frozenset[State], State | None, Literal["author"] | Right]] = {
    "edit": (frozenset({"draft", "returned"}), None, "author"),
    "submit": (frozenset({"draft", "returned"}), "submitted", "author"),
    "publish": (frozenset({"submitted"}), "published", "review"),
    "return": (frozenset({"submitted"}), "returned", "review"),
    "withdraw": (frozenset({"draft", "submitted", "returned", "published"}), "withdrawn", "author"),
}

Refusal = Literal["not_allowed", "wrong_state"]


class MoveRefused(Exception):
    """A move that cannot be made: by this person, or from this state."""

    def __init__(self, why: Refusal, move: str, state: str) -> None:
        super().__init__(f"{move} refused ({why}) for a record that is {state}")
        self.why = why
        self.move = move
        self.state = state


def moved[S: str, M: str](
    state: S,
    move: M,
    role: Role,
    author: bool,
    moves: Mapping[M, tuple[frozenset[S], S | None, Literal["author"] | Right]],
    overseer: Right = "review",
) -> S:
    """The state after ``move``, made by someone of ``role`` (``author``: who wrote it).

    ``moves`` is the record's table (a practice's is :data:`MOVES`). Someone
    with the ``overseer`` right may also withdraw what others wrote: a coordinator
    takes down a published practice that should not be public.
    """
    starts, ends, by = moves[move]
    if by != "author":
        allowed = may(role, by)
    else:
        allowed = (author and may(role, "share")) or (move == "withdraw" and may(role, overseer))
    if not allowed:
        raise MoveRefused("not_allowed", move, state)
    if state not in starts:
        raise MoveRefused("wrong_state", move, state)
    return ends or state
