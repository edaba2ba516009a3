"""Partnerships' and interventions' pure rules: what each needs, when it counts."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.communities import partnership
from opes_lti.communities.spec import SpecError

REF = "a" * 32


def _partnership(**changes: object) -> dict[str, object]:
    return {
        "title": "Sportello giovani",
        "organisations": ["APS Roma"],
        "public_bodies": [{"kind": "municipality", "name": "Comune di Roma"}],
        "act": "co_design",
        "since": "2027-02-01",
    } | changes


def _intervention(**changes: object) -> dict[str, object]:
    return {"title": "Doposcuola", "regions": ["12"], "status": "planned"} | changes


def test_partnership_needs_two_parties_and_a_public_body_under_art_55() -> None:
    spec = partnership.parse("partnership", _partnership())
    assert isinstance(spec, partnership.PartnershipSpec)
    assert spec.since == date(2027, 2, 1)
    with pytest.raises(SpecError, match="two parties") as caught:
        partnership.parse("partnership", _partnership(public_bodies=[]))
    assert [f for f, _ in caught.value.errors] == ["public_bodies"]
    for act in partnership.PUBLIC_ACTS:
        with pytest.raises(SpecError, match="public body"):
            partnership.parse(
                "partnership",
                _partnership(organisations=["APS Roma", "ODV Lazio"], public_bodies=[], act=act),
            )
    # Two organisations under a network agreement need no public body.
    two = _partnership(organisations=["APS Roma", "ODV Lazio"], public_bodies=[], act="network")
    assert partnership.parse("partnership", two).public_bodies == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("act", "handshake"), ("since", "yesterday"), ("region", "21"), ("provinces", ["Roma"]),
     ("practices", ["../etc"]), ("public_bodies", [{"kind": "ministry", "name": "X"}]),
     ("title", ""), ("title", "a\nb"), ("description", "x" * 200_000)],
)  # fmt: skip
def test_partnership_each_bad_field_is_named(field: str, value: object) -> None:
    with pytest.raises(SpecError) as caught:
        partnership.parse("partnership", _partnership(**{field: value}))
    assert field in [f.split(".")[0] for f, _ in caught.value.errors]


def test_intervention_dates_follow_its_stage() -> None:
    assert partnership.parse("intervention", _intervention()).status == "planned"
    with pytest.raises(SpecError, match="started") as caught:
        partnership.parse("intervention", _intervention(status="running"))
    assert [f for f, _ in caught.value.errors] == ["started_on"]
    with pytest.raises(SpecError, match="only a completed"):
        partnership.parse("intervention", _intervention(ended_on="2027-05-01"))
    with pytest.raises(SpecError, match="before it starts") as caught:
        partnership.parse(
            "intervention",
            _intervention(status="completed", started_on="2027-05-02", ended_on="2027-05-01"),
        )
    assert [f for f, _ in caught.value.errors] == ["ended_on"]
    with pytest.raises(SpecError) as caught:
        partnership.parse("intervention", _intervention(regions=[]))
    assert [f for f, _ in caught.value.errors] == ["regions"]


def test_rich_text_is_sanitised_and_references_kept_once() -> None:
    spec = partnership.parse(
        "intervention",
        _intervention(
            description="<p>ok</p><script>alert(1)</script>",
            audience='<a href="javascript:x()">y</a>',
            practices=[REF, REF],
            regions=["12", "12", "16"],
        ),
    )
    assert "<script" not in spec.description
    assert "javascript:" not in spec.audience
    assert spec.practices == [REF]
    assert spec.regions == ["12", "16"]


def test_a_record_counts_once_confirmed_and_an_intervention_once_started() -> None:
    for state in get_args(partnership.State):
        assert partnership.counts(state, "") == (state == "confirmed")
        assert not partnership.counts(state, "planned")
        assert partnership.counts(state, "running") == (state == "confirmed")


@given(before=st.sampled_from(partnership.STAGES), after=st.sampled_from(partnership.STAGES))
def test_an_intervention_only_moves_forward(before: str, after: str) -> None:
    expect = partnership.STAGES.index(after) > partnership.STAGES.index(before)
    assert partnership.forward(before, after) is expect  # type: ignore[arg-type]


def test_the_events_say_what_the_dashboard_counts() -> None:
    spec = partnership.parse("partnership", _partnership(region="12"))
    told = partnership.partnership_payload("giovani", REF, spec)  # type: ignore[arg-type]
    assert told.partner_kind == "public_administration"
    assert told.partner == "Comune di Roma, APS Roma"
    assert (told.instrument, told.region, told.community) == ("co_design", "12", "giovani")
    many = _partnership(organisations=[f"Associazione numero {n:02}" for n in range(30)],
                        public_bodies=[], act="network")  # fmt: skip
    long = partnership.parse("partnership", many)
    told = partnership.partnership_payload("giovani", REF, long)  # type: ignore[arg-type]
    assert told.partner_kind == "organisation"
    assert len(told.partner) == 300
    assert told.partner.endswith("…")
    work = partnership.parse("intervention", _intervention(status="running",
                                                           started_on="2027-03-01"))  # fmt: skip
    assert isinstance(work, partnership.InterventionSpec)
    assert partnership.intervention_payload("giovani", REF, work, "running").status == "started"
    done = partnership.intervention_payload("giovani", REF, work, "completed")
    assert (done.status, done.regions, done.title) == ("completed", ["12"], "Doposcuola")
