"""What a designer sets for a group exercise, checked once for both faces (pure, pydantic).

The XBlock's fields and the LTI placement's stored configuration are both read through
:func:`parse`, so an exercise copied between them, or exported and imported with its
course, keeps every setting and is held to the same rules. Errors name the field.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from opes_lti import richtext
from opes_lti.groups.formation import Bounds
from opes_lti.groups.numbers import decimal
from opes_lti.groups.rubric import Criterion, Level, Rubric, RubricError

Formation = Literal[
    "random", "mix_organisations", "mix_regions", "by_community", "choice", "instructor"
]
Text = Annotated[str, Field(max_length=200)]


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LevelSetting(_Settings):
    """A rubric level as written."""

    label: Text
    points: Annotated[float, Field(ge=0, le=1000)]


class CriterionSetting(_Settings):
    """A rubric criterion as written."""

    code: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")]
    title: Text
    levels: Annotated[list[LevelSetting], Field(min_length=2, max_length=10)]


class Reviews(_Settings):
    """Peer review between groups: how many each gives and needs, and until when."""

    gives: Annotated[int, Field(ge=1, le=10)] = 3
    needs: Annotated[int, Field(ge=1, le=10)] = 2
    due: AwareDatetime | None = None
    #: After this, the instructor grades whatever still lacks reviews.
    instructor_after: AwareDatetime | None = None

    @model_validator(mode="after")
    def _spare(self) -> Reviews:
        if self.gives < self.needs:
            raise ValueError("each group must give at least as many reviews as it needs")
        if self.due and self.instructor_after and self.instructor_after < self.due:
            raise ValueError("the instructor grades after the reviews are due, not before")
        return self


class Grading(_Settings):
    """How members are graded."""

    scheme: Literal["group", "webpa", "individual"] = "group"
    weight: Annotated[float, Field(ge=0, le=1)] = 0.5
    penalty: Annotated[float, Field(ge=0, le=1)] = 0.0
    scale: Annotated[float, Field(gt=0, le=1000)] = 100.0


class ExerciseSettings(_Settings):
    """A group exercise as its designer set it."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    instructions: Annotated[str, Field(max_length=richtext.MOST_CHARACTERS)] = ""
    least: Annotated[int, Field(ge=1, le=50)] = 3
    most: Annotated[int, Field(ge=1, le=50)] = 5
    formation: Formation = "mix_organisations"
    due: AwareDatetime | None = None
    late: Literal["marked", "refused"] = "marked"
    deliverable: Literal["text", "file", "link"] = "text"
    rubric: Annotated[list[CriterionSetting], Field(max_length=20)] = []
    reviews: Reviews | None = None
    grading: Grading = Grading()

    @field_validator("instructions")
    @classmethod
    def _sanitised(cls, value: str) -> str:
        return richtext.clean(value)

    @model_validator(mode="after")
    def _consistent(self) -> ExerciseSettings:
        if self.least > self.most:
            raise ValueError("a group's least size is more than its largest")
        if self.reviews and not self.rubric:
            raise ValueError("groups review each other by the rubric: write one first")
        if self.rubric:
            self.to_rubric()  # every rule of a usable rubric
        return self

    @property
    def bounds(self) -> Bounds:
        """The group sizes."""
        return Bounds(self.least, self.most)

    def to_rubric(self) -> Rubric | None:
        """The rubric, or None without one."""
        if not self.rubric:
            return None
        try:
            return Rubric(
                tuple(
                    Criterion(c.code, c.title, tuple(Level(v.label, v.points) for v in c.levels))
                    for c in self.rubric
                )
            )
        except RubricError as exc:
            raise ValueError(f"the rubric cannot be used ({exc.what})") from None


class SettingsError(ValueError):
    """Settings that cannot be used: each field, the kind of error and pydantic's words.

    The page says it in the reader's language by the kind; the words are a fallback.
    """

    def __init__(self, errors: list[tuple[str, str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, _, message in errors))
        self.errors = errors


def parse(raw: Any) -> ExerciseSettings:
    """The settings in ``raw`` (a mapping), or :class:`SettingsError` naming each field."""
    try:
        return ExerciseSettings.model_validate(raw)
    except ValidationError as exc:
        errors = [
            (".".join(str(p) for p in e["loc"]) or "settings", e["type"], str(e["msg"]))
            for e in exc.errors(include_url=False)
        ]
        raise SettingsError(errors) from None


def dumped(settings: ExerciseSettings) -> dict[str, Any]:
    """The settings as JSON-ready data: what the XBlock's OLX and the tool store."""
    return settings.model_dump(mode="json")


def rubric_text(rubric: list[CriterionSetting]) -> str:
    """The rubric as the designer's form shows it: ``Criterion | level = points | …``."""
    return "\n".join(
        " | ".join([c.title, *(f"{v.label} = {v.points:g}" for v in c.levels)]) for c in rubric
    )


def rubric_from_text(text: str) -> list[dict[str, Any]]:
    """The rubric a designer wrote, one criterion per line, or :class:`SettingsError`.

    Criteria are coded by position (``c1``, ``c2``…): reviews keep their choices by code.
    """
    criteria: list[dict[str, Any]] = []
    errors: list[tuple[str, str, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        title, *cells = (cell.strip() for cell in line.split("|"))
        levels = []
        for cell in cells:
            label, equals, points = cell.rpartition("=")
            found = decimal(points)
            value = -1.0 if found is None else found
            if not equals or not label.strip() or value < 0:
                errors.append((f"rubric.{number}", "rubric_level", f"line {number}: {cell!r}"))
                continue
            levels.append({"label": label.strip(), "points": value})
        criteria.append({"code": f"c{len(criteria) + 1}", "title": title, "levels": levels})
    if errors:
        raise SettingsError(errors)
    return criteria
