"""A record shown on its form and sent back unchanged is the same record."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opes_lti.communities import partnership, practice, recordform, sheetform
from opes_lti.communities.sheetform import paragraphs

_words = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=20)
_names = st.lists(_words, max_size=4)


@given(
    title=_words,
    organisations=_names,
    bodies=st.lists(st.tuples(st.sampled_from(partnership.PUBLIC_BODIES), _words), max_size=3),
    act=st.sampled_from(partnership.ACTS),
    region=st.sampled_from(["", "01", "12", "20"]),
    description=st.sampled_from(["", "Una riga", "Due\n\nparagrafi <b>e tag</b>"]),
)
def test_a_partnership_comes_back_from_its_form_unchanged(
    title: str, organisations: list[str], bodies: list[tuple[str, str]], act: str, region: str,
    description: str,
) -> None:  # fmt: skip
    raw = {
        "title": title, "act": act, "since": "2027-01-31",
        "organisations": ["Ente " + o for o in organisations] + ["APS Roma"],
        "public_bodies": [{"kind": k, "name": n} for k, n in bodies] or
                         [{"kind": "region", "name": "Regione Lazio"}],
        # As a form sends long text: escaped paragraphs.
        "description": paragraphs(description), "provinces": ["RM"],
    } | ({"region": region} if region else {})  # fmt: skip
    spec = partnership.parse("partnership", raw)
    values, picked = recordform.values_of(spec)
    again = partnership.parse("partnership", recordform.raw_of("partnership", values, picked))
    assert again == spec


@given(
    regions=st.lists(st.sampled_from(["01", "12", "16"]), min_size=1, max_size=3),
    status=st.sampled_from(partnership.STAGES),
    partners=st.lists(
        st.tuples(_words, st.sampled_from([None, *partnership.PUBLIC_BODIES])), max_size=4
    ),
)
def test_an_intervention_comes_back_from_its_form_unchanged(
    regions: list[str], status: str, partners: list[tuple[str, str | None]]
) -> None:
    raw = {
        "title": "Doposcuola", "regions": regions, "status": status,
        "partners": [{"name": n, "public_body": b} for n, b in partners],
        "audience": paragraphs("Ragazzi\ne ragazze"),
        "practices": ["a" * 32], "meetings": ["b" * 32],
    } | ({"started_on": "2026-10-01"} if status != "planned" else {})  # fmt: skip
    if status == "completed":
        raw["ended_on"] = "2026-11-01"
    spec = partnership.parse("intervention", raw)
    values, picked = recordform.values_of(spec)
    again = partnership.parse("intervention", recordform.raw_of("intervention", values, picked))
    assert again == spec
    assert len(values) + 2 >= recordform.rows("intervention", values)


@given(
    texts=st.lists(
        st.lists(st.lists(_words, min_size=1, max_size=3), min_size=1, max_size=3),
        min_size=7,
        max_size=7,
    )
)
def test_a_practice_s_long_text_keeps_its_paragraphs_and_lines_through_its_form(
    texts: list[list[list[str]]],
) -> None:
    """Found by the record forms' round trip: an edited practice had lost its paragraphs."""
    typed = ["\n\n".join("\n".join(lines) for lines in block) for block in texts]
    form = {"title": "Buona pratica"} | dict(zip(sheetform.LONG, typed, strict=True))
    spec = practice.parse(sheetform.sheet_of(form))
    assert practice.parse(sheetform.sheet_of(sheetform.form_of(spec))) == spec
    assert sheetform.form_of(spec)["problem"] == typed[0]
