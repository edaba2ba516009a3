"""A practice's sheet: checked, sanitised, folded for search; scores within bounds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.communities import practice
from opes_lti.communities.spec import SpecError

SHEET = {
    "title": "Doposcuola in rete",
    "organisations": ["aps-12"],
    "region": "16",
    "province": "BA",
    "problem": "<p>Dispersione scolastica in città</p><script>alert(1)</script>",
    "audience": "Ragazzi 11-14",
    "actions": "<p onclick='x()'>Attività pomeridiane</p>",
    "results": "Meno abbandoni",
    "evidence": [{"indicator": "abbandoni", "value": "-30%", "source": "scuola"}],
    "partners": [{"name": "Comune di Bari", "public_body": "municipality", "role": "spazi"}],
    "links": [{"url": "https://example.org/doc", "title": "Scheda"}],
    "licence": "CC-BY-4.0",
    "themes": ["giovani", "scuola"],
}


def test_practice_sheet_is_sanitised_and_folded_for_search() -> None:
    spec = practice.parse(SHEET)
    assert "<script>" not in spec.problem
    assert "alert" not in spec.problem
    assert "onclick" not in spec.actions
    text = practice.search_text(spec)
    assert "citta" in text
    assert "attivita" in text
    assert "comune di bari" in text
    assert "<p>" not in text
    assert practice.missing(spec) == []
    assert practice.LICENCES[spec.licence].startswith("https://creativecommons.org/")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"links": [{"url": "javascript:alert(1)"}]}, "links.0.url"),
        ({"links": [{"url": "JAVASCRIPT:alert(1)"}]}, "links.0.url"),
        ({"region": "99"}, "region"),
        ({"province": "Bari"}, "province"),
        ({"licence": "all-rights-reserved"}, "licence"),
        ({"partners": [{"name": "X", "public_body": "church"}]}, "partners.0.public_body"),
        ({"started_on": "2026-05-01", "ended_on": "2026-01-01"}, "record"),
        ({"themes": ["Not A Slug"]}, "themes.0"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_practice_bad_fields_are_named(change: dict[str, object], field: str) -> None:
    with pytest.raises(SpecError) as caught:
        practice.parse(SHEET | change)
    assert field in [f for f, _ in caught.value.errors]


def test_practice_a_draft_may_lack_what_review_needs() -> None:
    spec = practice.parse({"title": "Idea"})
    assert practice.missing(spec) == ["problem", "audience", "actions", "results"]
    assert practice.missing(practice.parse({"title": "Idea", "problem": "<p> </p>"}))[0] == (
        "problem"
    )


def test_practice_paragraphs_do_not_run_together_in_search() -> None:
    spec = practice.parse({"title": "T", "problem": "<p>in città.</p><p>Seconda</p>"})
    assert "citta. seconda" in " ".join(practice.search_text(spec).split())


@given(st.text(max_size=60))
def test_practice_folding_is_idempotent_and_drops_accents(text: str) -> None:
    once = practice.fold(text)
    assert practice.fold(once) == once
    assert not any(c in once for c in "àèéìòùÀÈÉ")


def test_practice_scores_are_1_to_5_and_at_least_one() -> None:
    assert practice.parse_scores({"innovation": 5}).innovation == 5
    for bad in ({}, {"innovation": 0}, {"innovation": 6}, {"beauty": 3}, {"comment": "ok"}):
        with pytest.raises(SpecError):
            practice.parse_scores(bad)
