"""Partnerships and interventions as members record them, and when they count (pure).

A partnership names the organisations and public bodies that agreed to work together,
on what, from when, and under which formal act. An intervention is what a community
started: where, with whom, for whom, how far it has gone, and the practices and
meetings it came from. Both are the final report's evidence, so a member records one
and the community's coordinator confirms it; only a confirmed record counts, and an
intervention counts once it has started (planned is not yet started).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from opes_lti import richtext
from opes_lti.communities.practice import Partner, Province, PublicBody, Short, Stage, Text
from opes_lti.communities.spec import checked, is_ref
from opes_lti.events.domain import (
    Identifier,
    InterventionPayload,
    PartnershipPayload,
    RegionCode,
    Title,
)

Kind = Literal["partnership", "intervention"]
KINDS: tuple[Kind, ...] = ("partnership", "intervention")
#: The formal act a partnership rests on. Co-programming and co-design are those of
#: art. 55 of the Third Sector Code (Codice del Terzo settore, d.lgs. 117/2017).
Act = Literal["protocol", "agreement", "co_programming", "co_design", "network", "other"]
ACTS: tuple[Act, ...] = ("protocol", "agreement", "co_programming", "co_design", "network", "other")
#: Acts only a public administration can open (art. 55: the administration involves
#: the Third Sector bodies), so a partnership under them names a public body.
PUBLIC_ACTS: frozenset[Act] = frozenset({"co_programming", "co_design"})
STAGES: tuple[Stage, ...] = ("planned", "running", "completed")
PUBLIC_BODIES: tuple[PublicBody, ...] = ("municipality", "region", "health_authority", "school",
                                         "other")  # fmt: skip

#: A record's reference (a practice's or a meeting's), as events and pages carry it.
Ref = Annotated[str, Field(min_length=32, max_length=32)]


class _Sheet(BaseModel):
    # As a practice's sheet: strict, frozen, text stripped (a base of its own, so the
    # linter sees these are pydantic models whose list defaults are copied).
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Body(_Sheet):
    """A public body that is party to a partnership, with its kind and its part."""

    kind: PublicBody
    name: Title
    role: Short = ""


def _refs(values: list[str]) -> list[str]:
    bad = [v for v in values if not is_ref(v)]
    if bad:
        raise ValueError("not a reference: " + bad[0][:40])
    return list(dict.fromkeys(values))


class PartnershipSpec(_Sheet):
    """A partnership as a member records it."""

    #: What the parties agreed to work on.
    title: Title
    act: Act
    organisations: Annotated[list[Identifier], Field(max_length=30)] = []
    public_bodies: Annotated[list[Body], Field(max_length=30, validate_default=True)] = []
    #: The act's own reference (a resolution's number, a protocol's date and number).
    act_reference: Short = ""
    since: date
    region: RegionCode | None = None
    provinces: Annotated[list[Province], Field(max_length=20)] = []
    description: Text = ""
    practices: Annotated[list[Ref], Field(max_length=20)] = []

    @field_validator("description")
    @classmethod
    def _sanitised(cls, value: str) -> str:
        return richtext.clean(value)

    @field_validator("practices")
    @classmethod
    def _references(cls, value: list[str]) -> list[str]:
        return _refs(value)

    @field_validator("provinces")
    @classmethod
    def _no_blank(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(p for p in value if p))

    # Per field, not on the whole record, so a form says which field to fill in.
    @field_validator("public_bodies")
    @classmethod
    def _parties(cls, value: list[Body], info: ValidationInfo) -> list[Body]:
        if len(info.data.get("organisations", [])) + len(value) < 2:
            raise ValueError("a partnership needs at least two parties")
        if info.data.get("act") in PUBLIC_ACTS and not value:
            raise ValueError("co-programming and co-design (art. 55) need a public body")
        return value


class InterventionSpec(_Sheet):
    """An intervention as a member records it."""

    title: Title
    #: What is done.
    description: Text = ""
    regions: Annotated[list[RegionCode], Field(min_length=1, max_length=20)]
    provinces: Annotated[list[Province], Field(max_length=40)] = []
    partners: Annotated[list[Partner], Field(max_length=30)] = []
    #: Who it is for.
    audience: Text = ""
    status: Stage = "planned"
    started_on: Annotated[date | None, Field(validate_default=True)] = None
    ended_on: Annotated[date | None, Field(validate_default=True)] = None
    practices: Annotated[list[Ref], Field(max_length=20)] = []
    meetings: Annotated[list[Ref], Field(max_length=20)] = []

    @field_validator("description", "audience")
    @classmethod
    def _sanitised(cls, value: str) -> str:
        return richtext.clean(value)

    @field_validator("practices", "meetings")
    @classmethod
    def _references(cls, value: list[str]) -> list[str]:
        return _refs(value)

    @field_validator("regions", "provinces")
    @classmethod
    def _once(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(v for v in value if v))

    @field_validator("started_on")
    @classmethod
    def _started(cls, value: date | None, info: ValidationInfo) -> date | None:
        if info.data.get("status", "planned") != "planned" and value is None:
            raise ValueError("an intervention under way says when it started")
        return value

    @field_validator("ended_on")
    @classmethod
    def _ended(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None:
            return value
        if info.data.get("status") != "completed":
            raise ValueError("only a completed intervention has an end")
        started = info.data.get("started_on")
        if started and value < started:
            raise ValueError("the intervention cannot end before it starts")
        return value


Spec = PartnershipSpec | InterventionSpec
SPECS: dict[Kind, type[PartnershipSpec] | type[InterventionSpec]] = {
    "partnership": PartnershipSpec,
    "intervention": InterventionSpec,
}


def parse(kind: Kind, raw: object) -> Spec:
    """The record of ``kind`` in ``raw``, or :class:`~.spec.SpecError` naming each field."""
    return checked(SPECS[kind], raw)


State = Literal["submitted", "confirmed", "returned", "withdrawn"]
Move = Literal["edit", "confirm", "return", "withdraw"]
#: How a record moves: a member records it (submitted); the coordinator confirms it or
#: returns it with a comment; its author edits it back to submitted; either withdraws it.
MOVES: dict[Move, tuple[frozenset[State], State | None, Literal["author", "confirm"]]] = {
    "edit": (frozenset({"submitted", "returned"}), "submitted", "author"),
    "confirm": (frozenset({"submitted"}), "confirmed", "confirm"),
    "return": (frozenset({"submitted"}), "returned", "confirm"),
    "withdraw": (frozenset({"submitted", "returned", "confirmed"}), "withdrawn", "author"),
}


def counts(state: str, status: str) -> bool:
    """Whether a record in ``state`` (an intervention at ``status``) is counted.

    A partnership's status is "".
    """
    return state == "confirmed" and status != "planned"


def forward(before: Stage, after: Stage) -> bool:
    """Whether an intervention may go from ``before`` to ``after`` (never back)."""
    return STAGES.index(after) > STAGES.index(before)


def _fitted(names: list[str]) -> str:
    joined = ", ".join(names)
    return joined if len(joined) <= 300 else joined[:299] + "…"


def partnership_payload(community: str, ref: str, spec: PartnershipSpec) -> PartnershipPayload:
    """What ``community.partnership_recorded`` says of a confirmed partnership.

    With a public body among the parties it is a partnership with a public
    administration, which the programme counts apart.
    """
    public = bool(spec.public_bodies)
    return PartnershipPayload(
        community=community,
        partnership=ref,
        partner_kind="public_administration" if public else "organisation",
        partner=_fitted([b.name for b in spec.public_bodies] + list(spec.organisations)),
        instrument=spec.act,
        region=spec.region,
    )


def intervention_payload(
    community: str, ref: str, spec: InterventionSpec, status: Stage
) -> InterventionPayload:
    """What ``community.intervention_recorded`` says of a started intervention."""
    return InterventionPayload(
        community=community,
        intervention=ref,
        title=spec.title,
        regions=list(spec.regions),
        status="completed" if status == "completed" else "started",
    )
