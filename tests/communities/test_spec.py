"""A community as a national coordinator describes it: checked once, by field."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.communities.spec import SpecError, parse

GOOD = {"slug": "giovani", "name": "Giovani e partecipazione"}


def test_a_community_keeps_its_words_and_loses_scripts() -> None:
    spec = parse(GOOD | {"description": "<p>Per i <b>giovani</b><script>alert(1)</script></p>",
                         "space_url": "https://forum.example.org/c/giovani"})  # fmt: skip
    assert spec.description == "<p>Per i <b>giovani</b></p>"
    assert spec.space_url == "https://forum.example.org/c/giovani"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "Giovani!"}, "slug"),
        ({"slug": "g"}, "slug"),
        ({"name": ""}, "name"),
        ({"space_url": "javascript:alert(1)"}, "space_url"),
        ({"space_url": "data:text/html,x"}, "space_url"),
        ({"space_url": "https://a.example/ x"}, "space_url"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_what_cannot_be_saved_names_its_field(change: dict[str, str], field: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse(GOOD | change)
    assert [f for f, _ in caught.value.errors] == [field]


@given(st.text(max_size=60))
def test_only_a_web_address_is_ever_a_space(url: str) -> None:
    try:
        spec = parse(GOOD | {"space_url": url})
    except SpecError:
        return
    assert spec.space_url == "" or spec.space_url.lower().startswith(("http://", "https://"))
    assert not any(c.isspace() for c in spec.space_url)
