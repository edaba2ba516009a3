"""The outcome-event envelope and its typed payloads (pure: pydantic and stdlib only).

Every activity reports what happened as one of these. The envelope is versioned: a reader
accepts any ``1.x`` and a sender writes :data:`SCHEMA_VERSION`. Field names are the wire
format, so renaming one is a new major version.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

SCHEMA_VERSION = "1.1"
#: The programme's events happen in this century; anything outside is a sender's bug.
#: Instants in UTC: an offset does not move an event across the bounds.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2099, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)

#: Blanks spelt out rather than "\s", whose meaning differs between regex engines (ECMA's
#: includes U+FEFF, Python's and Rust's do not): every reader of the schema must agree.
_BLANK = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
#: One printable line with no blanks at either end.
_LINE = rf"^[^{_BLANK}](?:[^\x00-\x1f\x7f]*[^{_BLANK}])?$"
#: A stable identifier chosen by the sender.
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_LINE)]
#: Free text a person wrote (a title).
Title = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=_LINE)]
#: A pseudonymous learner id: the sender hashes the platform's user id into this.
PseudonymousId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:@-]{1,128}$")]


def _whole(value: Any) -> Any:
    # JSON has one number type: 3.0 is the integer 3 (as JSON Schema says), 3.5 is not.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An integer as JSON Schema means it, within bounds ("3" and true are refused). The bounds
# come before the validator, or pydantic writes them into the JSON Schema as "ge"/"le",
# which no JSON Schema reader knows.
Level = Annotated[int, Field(ge=0, le=10), BeforeValidator(_whole)]
MaxLevel = Annotated[int, Field(ge=1, le=10), BeforeValidator(_whole)]
Members = Annotated[int, Field(ge=1, le=500), BeforeValidator(_whole)]
MeetingNumber = Annotated[int, Field(ge=1, le=100), BeforeValidator(_whole)]

RegionCode = Literal[
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10",
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "20",
]  # fmt: skip
#: The learner's role in their organisation (dirigente, volontario, operatore).
OrganisationRole = Literal["manager", "volunteer", "staff"]
Phase = Literal["pre", "post"]


class _Strict(BaseModel):
    """Unknown fields are an error, and nothing is coerced ("3" is not 3, true is not 1).

    A typo or a sender's type bug must not pass silently into the report. Only the id and
    the timestamp are parsed from their JSON strings.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Actor(_Strict):
    """Who did it, pseudonymously, with what the report groups by."""

    id: PseudonymousId
    role: OrganisationRole | None = None
    organisation: Identifier | None = None
    region: RegionCode | None = None


class Context(_Strict):
    """Where it happened."""

    platform: Literal["openedx", "moodle", "lti", "other"]
    #: The platform instance (LTI issuer or site URL).
    platform_id: Identifier | None = None
    course: Identifier | None = None
    activity: Identifier | None = None

    def course_key(self) -> str | None:
        """The course as the report tells it apart from every other, on any platform.

        A course id is unique only within its platform instance (two Moodle sites both
        have a course ``2``), so the report's course is the id with its instance: the
        instructor of one may never see the other's figures.
        """
        if self.course is None or self.platform_id is None:
            return self.course
        instance = self.platform_id
        if re.search(r"[\s@]", instance):
            # The key is split at its last " @ ": an instance holding none keeps it one-to-one.
            instance = "#" + hashlib.sha256(instance.encode()).hexdigest()[:32]
        return fitted(f"{self.course} @ {instance}", COURSE_KEY_LENGTH)


#: Room for a course key in the report's columns.
COURSE_KEY_LENGTH = 200


def fitted(text: str, room: int) -> str:
    """``text`` within ``room`` characters, distinct texts kept distinct.

    A long text keeps its start and a digest of the whole, so two texts never merge by
    being cut at the same length.
    """
    if len(text) <= room:
        return text
    return text[: room - 65] + "#" + hashlib.sha256(text.encode()).hexdigest()


# --- payloads ---------------------------------------------------------------------------


class SelfAssessmentPayload(_Strict):
    """One competence's answer in a self-assessment."""

    framework: Identifier
    framework_version: Identifier
    competency: Identifier
    area: Identifier | None = None
    level: Level
    max_level: MaxLevel
    phase: Phase
    #: A person assesses themselves, or a manager assesses their organisation.
    scope: Literal["person", "organisation"] = "person"
    organisation: Identifier | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SelfAssessmentPayload:
        if self.level > self.max_level:
            raise ValueError("level must not exceed max_level")
        if self.scope == "organisation" and self.organisation is None:
            raise ValueError("organisation is required when scope is 'organisation'")
        return self


class GroupWorkPayload(_Strict):
    """A group's deliverable for an exercise."""

    exercise: Identifier
    group: Identifier
    submission: Identifier
    members: Members = 1


class GroupReviewPayload(_Strict):
    """A review of a group's deliverable, by a peer or an instructor."""

    exercise: Identifier
    group: Identifier
    submission: Identifier
    review: Identifier
    reviewer: Literal["peer", "instructor"]
    rating: Level | None = None


class GroupGradePayload(_Strict):
    """The grade given to a group's deliverable."""

    exercise: Identifier
    group: Identifier
    submission: Identifier
    score: float = Field(ge=0, allow_inf_nan=False)
    max_score: float = Field(gt=0, le=1_000_000, allow_inf_nan=False)
    #: Sent once per member (the actor), so the report counts people: the member's WebPA
    #: factor where the grade was adjusted by peer assessment (schema 1.1).
    factor: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)

    @model_validator(mode="after")
    def _within_max(self) -> GroupGradePayload:
        if self.score > self.max_score:
            raise ValueError("score must not exceed max_score")
        return self


class CommunityPayload(_Strict):
    """Joining one of the communities of practice."""

    community: Identifier


class PracticePayload(_Strict):
    """A practice (buona pratica) shared in a community."""

    community: Identifier
    practice: Identifier
    title: Title
    theme: Identifier | None = None


class MeetingPayload(_Strict):
    """Attendance at one of a community's meetings."""

    community: Identifier
    meeting: Identifier
    sequence: MeetingNumber | None = None
    mode: Literal["online", "in_person"]


class PartnershipPayload(_Strict):
    """A partnership between organisations, or with a public administration."""

    community: Identifier | None = None
    partnership: Identifier
    partner_kind: Literal["organisation", "public_administration"]
    partner: Title
    #: The formal act; co-programming and co-design are those of art. 55 of the Third
    #: Sector Code.
    instrument: (
        Literal["protocol", "agreement", "co_programming", "co_design", "network", "other"] | None
    ) = None
    region: RegionCode | None = None


class InterventionPayload(_Strict):
    """An intervention (intervento) started within a community."""

    community: Identifier
    intervention: Identifier
    title: Title
    regions: list[RegionCode] = Field(min_length=1, max_length=20)
    status: Literal["started", "completed"] = "started"


class CorrectionPayload(_Strict):
    """A record counted before that no longer stands: withdrawn, or found to be wrong.

    ``record`` names what it was; ``id`` is the practice, the partnership or the
    intervention, or for an attendance the meeting (the actor is the one who attended).
    """

    community: Identifier | None = None
    record: Literal["practice", "attendance", "partnership", "intervention"]
    id: Identifier


class ProfilePayload(_Strict):
    """A learner's profile as they set it."""

    role: OrganisationRole | None = None
    organisation: Identifier | None = None
    region: RegionCode | None = None


# --- envelope ---------------------------------------------------------------------------


class _Envelope(_Strict):
    id: Annotated[UUID, Field(strict=False)]
    schema_version: Annotated[str, StringConstraints(pattern=r"^1\.\d{1,3}$")] = SCHEMA_VERSION
    occurred_at: Annotated[AwareDatetime, Field(strict=False)]
    #: The sender's registered source name; the reporting service checks it against the token.
    source: Identifier
    actor: Actor
    context: Context

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # One representation per instant, so re-sending the same event is a duplicate.
        # (Years far out are refused first: year 1 or 9999 cannot be moved to UTC at all.)
        instant = value.astimezone(UTC) if 1999 <= value.year <= 2100 else None
        if instant is None or not EARLIEST <= instant <= LATEST:
            raise ValueError(f"must lie between {EARLIEST:%Y} and {LATEST:%Y} (UTC)")
        return instant


class SelfAssessmentSubmitted(_Envelope):
    """A learner (or a manager for their organisation) answered one competence."""

    type: Literal["self_assessment.submitted"]
    payload: SelfAssessmentPayload


class GroupExerciseSubmitted(_Envelope):
    """A group handed in its deliverable."""

    type: Literal["group_exercise.submitted"]
    payload: GroupWorkPayload


class GroupExerciseReviewed(_Envelope):
    """A deliverable was reviewed."""

    type: Literal["group_exercise.reviewed"]
    payload: GroupReviewPayload


class GroupExerciseGraded(_Envelope):
    """A deliverable was graded."""

    type: Literal["group_exercise.graded"]
    payload: GroupGradePayload


class CommunityJoined(_Envelope):
    """Someone joined a community of practice."""

    type: Literal["community.joined"]
    payload: CommunityPayload


class PracticeShared(_Envelope):
    """A practice was shared in a community."""

    type: Literal["community.practice_shared"]
    payload: PracticePayload


class MeetingAttended(_Envelope):
    """Someone attended a community meeting."""

    type: Literal["community.meeting_attended"]
    payload: MeetingPayload


class PartnershipRecorded(_Envelope):
    """A partnership was recorded."""

    type: Literal["community.partnership_recorded"]
    payload: PartnershipPayload


class InterventionRecorded(_Envelope):
    """An intervention was recorded."""

    type: Literal["community.intervention_recorded"]
    payload: InterventionPayload


class RecordWithdrawn(_Envelope):
    """A correction: a practice, an attendance, a partnership or an intervention withdrawn."""

    type: Literal["community.record_withdrawn"]
    payload: CorrectionPayload


class LearnerProfileUpdated(_Envelope):
    """A learner set or changed their profile."""

    type: Literal["learner.profile_updated"]
    payload: ProfilePayload


EVENT_CLASSES: tuple[type[_Envelope], ...] = (
    SelfAssessmentSubmitted,
    GroupExerciseSubmitted,
    GroupExerciseReviewed,
    GroupExerciseGraded,
    CommunityJoined,
    PracticeShared,
    MeetingAttended,
    PartnershipRecorded,
    InterventionRecorded,
    RecordWithdrawn,
    LearnerProfileUpdated,
)
EVENT_TYPES: tuple[str, ...] = tuple(
    cls.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
    for cls in EVENT_CLASSES
)

OutcomeEvent = Annotated[
    SelfAssessmentSubmitted
    | GroupExerciseSubmitted
    | GroupExerciseReviewed
    | GroupExerciseGraded
    | CommunityJoined
    | PracticeShared
    | MeetingAttended
    | PartnershipRecorded
    | InterventionRecorded
    | RecordWithdrawn
    | LearnerProfileUpdated,
    Field(discriminator="type"),
]

_ADAPTER: TypeAdapter[OutcomeEvent] = TypeAdapter(OutcomeEvent)


class FieldError(BaseModel):
    """One reason an event was refused: which field, and why."""

    model_config = ConfigDict(frozen=True)

    field: str
    message: str


class InvalidEvent(ValueError):
    """An event that does not follow the schema; ``errors`` names each bad field."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


_TAG_ERRORS = frozenset({"union_tag_invalid", "union_tag_not_found"})


def _field_path(loc: tuple[int | str, ...]) -> str:
    # A discriminated union puts the tag first ("self_assessment.submitted", "payload", ...):
    # the sender wrote "payload.level", so that is what we name.
    parts = list(loc)
    if parts and isinstance(parts[0], str) and parts[0] in EVENT_TYPES:
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "(event)"


def parse_event(data: Any) -> OutcomeEvent:
    """Validate one event from decoded JSON, raising :class:`InvalidEvent`."""
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        errors = [
            FieldError(
                field="type" if err["type"] in _TAG_ERRORS else _field_path(err["loc"]),
                message=err["msg"],
            )
            for err in exc.errors(include_url=False)
        ]
        raise InvalidEvent(errors) from None


def event_to_json(event: OutcomeEvent) -> dict[str, Any]:
    """The event as JSON-ready data, exactly as it goes on the wire."""
    return event.model_dump(mode="json", exclude_none=True)


def canonical_json(event: OutcomeEvent) -> str:
    """One byte-for-byte form per event content (sorted keys, no blanks)."""
    return _dumps(event_to_json(event))


def canonical(event: OutcomeEvent) -> tuple[dict[str, Any], str]:
    """The event's JSON data and its content hash, computed from one serialisation.

    The hash is what "same content" means for deduplication.
    """
    data = event_to_json(event)
    return data, hashlib.sha256(_dumps(data).encode("utf-8")).hexdigest()


def content_hash(event: OutcomeEvent) -> str:
    """The SHA-256 of the event's canonical form."""
    return canonical(event)[1]


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def json_schema() -> dict[str, Any]:
    """JSON Schema of one event, with definitions under ``#/components/schemas`` (OpenAPI)."""
    return _ADAPTER.json_schema(ref_template="#/components/schemas/{model}")
