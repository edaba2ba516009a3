"""Rich text: structure kept, anything that could run or track dropped, whatever is sent."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opes_lti import richtext

ATTACKS = [
    "<script>alert(1)</script><p>testo</p>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">link</a>',
    '<a href="JaVaScRiPt:alert(1)">link</a>',
    '<p onclick="alert(1)" style="x">testo</p>',
    '<iframe src="https://example.org"></iframe>',
    "<svg><script>alert(1)</script></svg>",
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<form action="https://example.org"><input name=x></form>',
    "<!-- <script>alert(1)</script> -->",
    "<style>body{display:none}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_nothing_that_runs_or_tracks_survives(attack: str) -> None:
    out = richtext.clean(attack)
    assert not re.search(r"<(script|img|iframe|svg|form|input|style|math)\b", out, re.I)
    assert "javascript:" not in out.lower()
    assert "data:" not in out.lower()
    assert not re.search(r"<[^>]*\son\w+\s*=", out, re.I)  # no event attribute


def test_structure_and_links_are_kept_and_links_open_safely() -> None:
    out = richtext.clean(
        "<h3>Consegna</h3><p>Leggete il <strong>bando</strong>:</p>"
        '<ul><li><a href="https://www.italiadomani.gov.it">sito</a></li></ul>'
    )
    assert out.startswith("<h3>Consegna</h3><p>Leggete il <strong>bando</strong>:</p>")
    assert 'href="https://www.italiadomani.gov.it"' in out
    assert 'rel="noopener noreferrer"' in out


@given(st.text(alphabet=st.sampled_from(list("<>/=\"' ascriptonload:&;ahref")), max_size=200))
def test_any_text_comes_out_with_only_allowed_tags(html: str) -> None:
    out = richtext.clean(html)
    for tag in re.findall(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)", out):
        assert tag.lower() in richtext.TAGS
    assert richtext.clean(out) == out  # cleaning is stable


def test_too_long_is_refused_not_cut() -> None:
    with pytest.raises(ValueError, match="100000"):
        richtext.clean("x" * (richtext.MOST_CHARACTERS + 1))
