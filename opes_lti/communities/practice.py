"""A good practice (*buona pratica*) as a member writes it, and the way it is reviewed (pure).

The fields follow the programme's practice sheet. Rich text is sanitised as it is
parsed, links are web addresses only, and what the text search reads is derived here
once (:func:`search_text`), so both databases search the same words.
"""

from __future__ import annotations

import html
import unicodedata
from datetime import date
from typing import Annotated, Literal

import nh3
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from opes_lti import richtext
from opes_lti.communities.spec import Slug, checked, web_address
from opes_lti.events.domain import Identifier, RegionCode, Title

#: The Creative Commons licences a practice may be published under (SPDX ids), with
#: the deed each links to: the programme publishes open educational resources.
LICENCES: dict[str, str] = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC-BY-NC-4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "CC-BY-NC-SA-4.0": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "CC-BY-ND-4.0": "https://creativecommons.org/licenses/by-nd/4.0/",
    "CC-BY-NC-ND-4.0": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
}
Licence = Literal[
    "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0", "CC-BY-NC-SA-4.0", "CC-BY-ND-4.0",
    "CC-BY-NC-ND-4.0", "CC0-1.0",
]  # fmt: skip
#: The kinds of public body a partner may be (also for partnerships).
PublicBody = Literal["municipality", "region", "health_authority", "school", "other"]
#: Where the practice itself stands (not where its sheet is in review).
Stage = Literal["planned", "running", "completed"]
#: The criteria a coordinator may score a practice on, 1 to 5 each.
CRITERIA = ("effectiveness", "efficiency", "innovation", "transferability", "sustainability")

Text = Annotated[str, Field(max_length=richtext.MOST_CHARACTERS)]
Short = Annotated[str, Field(max_length=300)]
#: An Italian province by its two-letter abbreviation (MI, RM, BZ...).
Province = Annotated[str, Field(pattern=r"^([A-Z]{2})?$")]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Evidence(_Part):
    """One result and how it is known: an indicator, its value, where it comes from."""

    indicator: Title
    value: Annotated[str, Field(min_length=1, max_length=200)]
    source: Short = ""


class Partner(_Part):
    """Someone the practice was done with; a public body is marked with its kind."""

    name: Title
    public_body: PublicBody | None = None
    role: Short = ""


class Link(_Part):
    """A resource on the web."""

    url: Annotated[str, Field(min_length=1, max_length=2000)]
    title: Short = ""

    @field_validator("url")
    @classmethod
    def _web(cls, value: str) -> str:
        return web_address(value)


class PracticeSpec(_Part):
    """A practice's sheet, every field but the title optional while it is a draft."""

    title: Title
    organisations: Annotated[list[Identifier], Field(max_length=20)] = []
    region: RegionCode | None = None
    province: Province = ""
    stage: Stage = "running"
    started_on: date | None = None
    ended_on: date | None = None
    #: The problem and its context.
    problem: Text = ""
    #: Who it is for.
    audience: Text = ""
    #: What was done.
    actions: Text = ""
    resources: Text = ""
    results: Text = ""
    evidence: Annotated[list[Evidence], Field(max_length=20)] = []
    #: Difficulties met and lessons learnt.
    lessons: Text = ""
    #: How it could be done elsewhere.
    transfer: Text = ""
    partners: Annotated[list[Partner], Field(max_length=30)] = []
    links: Annotated[list[Link], Field(max_length=20)] = []
    licence: Licence = "CC-BY-SA-4.0"
    themes: Annotated[list[Slug], Field(max_length=10)] = []

    @field_validator("problem", "audience", "actions", "resources", "results", "lessons",
                     "transfer")  # fmt: skip
    @classmethod
    def _sanitised(cls, value: str) -> str:
        return richtext.clean(value)

    @model_validator(mode="after")
    def _in_order(self) -> PracticeSpec:
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValueError("the practice cannot end before it starts")
        return self


#: What a practice must say before it goes to review (a draft may lack them).
REQUIRED_TO_SUBMIT = ("problem", "audience", "actions", "results")


def missing(spec: PracticeSpec) -> list[str]:
    """The fields a draft still lacks before it can be submitted."""
    return [name for name in REQUIRED_TO_SUBMIT if not plain(getattr(spec, name)).strip()]


def parse(raw: object) -> PracticeSpec:
    """The practice in ``raw``, or :class:`~opes_lti.communities.spec.SpecError`."""
    return checked(PracticeSpec, raw)


def plain(rich: str) -> str:
    """The words of sanitised rich text, without tags.

    A space stands where each tag was: paragraphs' words must not run together, or
    "città.</p><p>Seconda" would be one token ("citta.seconda") no search finds.
    """
    return html.unescape(nh3.clean(rich.replace("<", " <"), tags=set()))


def fold(text: str) -> str:
    """``text`` lower-cased with its accents taken off ("Attività" is "attivita").

    The Italian stemmer reads both spellings alike only once they are one: people type
    "citta" for "città", and a page's text and a search's words are folded the same.
    """
    # Decomposed, case-folded, decomposed again: some compatibility forms (ϒ) decompose
    # into capitals, and some folded letters decompose further.
    return _bare(_bare(text).casefold())


def _bare(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_text(spec: PracticeSpec) -> str:
    """Everything a search may find a practice by, folded."""
    parts = [
        spec.title,
        *spec.organisations,
        *(plain(getattr(spec, name)) for name in _RICH),
        *(f"{e.indicator} {e.value} {e.source}" for e in spec.evidence),
        *(f"{p.name} {p.role}" for p in spec.partners),
        *(link.title for link in spec.links),
        *(theme.replace("-", " ") for theme in spec.themes),
    ]
    return fold(" ".join(p for p in parts if p))


_RICH = ("problem", "audience", "actions", "resources", "results", "lessons", "transfer")


class Scores(_Part):
    """A coordinator's scores, 1 to 5, on the criteria they chose to score."""

    effectiveness: Annotated[int, Field(ge=1, le=5)] | None = None
    efficiency: Annotated[int, Field(ge=1, le=5)] | None = None
    innovation: Annotated[int, Field(ge=1, le=5)] | None = None
    transferability: Annotated[int, Field(ge=1, le=5)] | None = None
    sustainability: Annotated[int, Field(ge=1, le=5)] | None = None
    comment: Short = ""

    @model_validator(mode="after")
    def _some(self) -> Scores:
        if all(getattr(self, c) is None for c in CRITERIA):
            raise ValueError("score at least one criterion")
        return self


def parse_scores(raw: object) -> Scores:
    """The scores in ``raw``, or :class:`~opes_lti.communities.spec.SpecError`."""
    return checked(Scores, raw)
