"""What a community is when it is created or changed, checked once (pure, pydantic)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from opes_lti import richtext

#: How a community's short name is written: lower-case words joined by hyphens.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
#: A community's short name in addresses, exports and events (``giovani``).
Slug = Annotated[str, Field(min_length=2, max_length=60, pattern=SLUG_PATTERN)]


def is_slug(text: str) -> bool:
    """Whether ``text`` could name a community (anything else names none)."""
    return 2 <= len(text) <= 60 and re.fullmatch(SLUG_PATTERN, text) is not None


def is_ref(text: str) -> bool:
    """Whether ``text`` could be a record's reference (32 hex digits); else it names none."""
    return len(text) == 32 and all(c in "0123456789abcdef" for c in text)


class CommunitySpec(BaseModel):
    """A community as a national coordinator describes it."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    slug: Slug
    name: Annotated[str, Field(min_length=1, max_length=200)]
    theme: Annotated[str, Field(max_length=200)] = ""
    description: Annotated[str, Field(max_length=richtext.MOST_CHARACTERS)] = ""
    #: The community's own space (a forum, a Discourse category, a video room).
    space_url: Annotated[str, Field(max_length=2000)] = ""

    @field_validator("description")
    @classmethod
    def _sanitised(cls, value: str) -> str:
        return richtext.clean(value)

    @field_validator("space_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        return web_address(value)


def web_address(value: str) -> str:
    """``value`` if it is empty or an http(s) address, the only links a page opens.

    No ``javascript:``, ``data:`` or ``file:`` link reaches a page, whatever its case.
    """
    lowered = value.lower()
    if value and not (lowered.startswith("https://") or lowered.startswith("http://")):
        raise ValueError("the address must begin with http:// or https://")
    if any(c.isspace() or ord(c) < 32 for c in value):
        raise ValueError("an address has no spaces or control characters")
    return value


class SpecError(ValueError):
    """A record that cannot be saved: each field and what is wrong with it."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors))
        self.errors = errors


def parse(raw: object) -> CommunitySpec:
    """The community in ``raw``, or :class:`SpecError` naming each field."""
    return checked(CommunitySpec, raw)


def checked[Spec: BaseModel](model: type[Spec], raw: object) -> Spec:
    """``raw`` as ``model``, or :class:`SpecError` naming each field (every record's parse)."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(
            [(".".join(map(str, e["loc"])) or "record", str(e["msg"])) for e in exc.errors()]
        ) from None
