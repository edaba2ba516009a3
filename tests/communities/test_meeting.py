"""The meetings' pure rules: what a meeting needs, who is expected, what a check-in is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.communities import meeting
from opes_lti.communities.spec import SpecError

START = datetime(2027, 3, 4, 17, 30, tzinfo=UTC)


def _spec(**changes: object) -> dict[str, object]:
    return {
        "starts_at": START,
        "minutes": 90,
        "mode": "online",
        "link": "https://meet.example/r",
    } | changes


def test_meeting_a_meeting_needs_its_link_online_and_its_place_in_person() -> None:
    assert meeting.parse(_spec()).link == "https://meet.example/r"
    with pytest.raises(SpecError) as caught:
        meeting.parse(_spec(mode="in_person", link=""))
    assert [f for f, _ in caught.value.errors] == ["place"]
    with pytest.raises(SpecError) as caught:
        meeting.parse(_spec(link=""))
    assert [f for f, _ in caught.value.errors] == ["link"]
    # Only web addresses open from a page.
    with pytest.raises(SpecError) as caught:
        meeting.parse(_spec(link="javascript:alert(1)"))
    assert [f for f, _ in caught.value.errors] == ["link"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("starts_at", "2027-03-04T18:30"), ("starts_at", None), ("minutes", "90"), ("minutes", 10),
     ("minutes", 601), ("minutes", True), ("mode", "hybrid"), ("agenda", "x" * 4001)],
)  # fmt: skip
def test_meeting_each_bad_field_is_named(field: str, value: object) -> None:
    with pytest.raises(SpecError) as caught:
        meeting.parse(_spec(**{field: value}))
    assert field in [f for f, _ in caught.value.errors]


def test_meeting_italian_time_is_read_and_shown_in_italy_across_summer_time() -> None:
    winter = meeting.from_local("2027-03-04", "18:30")
    summer = meeting.from_local("2027-07-04", "18:30")
    assert winter.astimezone(UTC).hour == 17
    assert summer.astimezone(UTC).hour == 16
    assert meeting.local(summer.astimezone(UTC)).strftime("%H:%M") == "18:30"
    for day, clock in [("2027-02-30", "18:00"), ("4 marzo", "18:00"), ("2027-03-04", "25:00")]:
        with pytest.raises(ValueError, match=r"."):
            meeting.from_local(day, clock)


def test_meeting_a_check_in_is_present_at_first_then_late_for_the_minutes_left() -> None:
    assert meeting.checked_in(START, 90, START - timedelta(minutes=5)).status == "present"
    assert meeting.checked_in(START, 90, START + timedelta(minutes=10)).status == "present"
    late = meeting.checked_in(START, 90, START + timedelta(minutes=30))
    assert (late.status, late.minutes) == ("late", 60)
    # After the end (the code stays open an hour), late with no minutes.
    assert meeting.checked_in(START, 90, START + timedelta(minutes=120)).minutes == 0


def test_meeting_codes_are_typed_loosely_and_open_only_around_the_meeting() -> None:
    code = meeting.new_code()
    assert len(code) == meeting.CODE_LENGTH
    assert set(code) <= set(meeting.CODE_ALPHABET)
    assert meeting.normal_code(" ab3-k7q ") == "AB3K7Q"
    assert not meeting.may_open_code(START, 90, START - timedelta(minutes=31))
    assert meeting.may_open_code(START, 90, START - timedelta(minutes=30))
    assert meeting.may_open_code(START, 90, START + timedelta(minutes=150))
    assert not meeting.may_open_code(START, 90, START + timedelta(minutes=151))


def test_meeting_someone_excused_or_absent_attended_no_minutes() -> None:
    assert meeting.parse_mark({"status": "absent"}).minutes is None
    with pytest.raises(SpecError):
        meeting.parse_mark({"status": "excused", "minutes": 30})
    assert meeting.minutes_attended(meeting.parse_mark({"status": "present"}), 90) == 90
    assert (
        meeting.minutes_attended(meeting.parse_mark({"status": "late", "minutes": 500}), 90) == 90
    )


def test_meeting_the_plan_is_five_online_and_one_in_person() -> None:
    assert meeting.against_plan({"online": 2}) == {"online": (2, 5), "in_person": (0, 1)}


_moments = st.integers(min_value=-10_000, max_value=10_000).map(
    lambda m: START + timedelta(minutes=m)
)


@given(joined=_moments, left=st.none() | _moments, starts=_moments)
def test_meeting_nobody_is_expected_at_a_meeting_before_they_joined_or_after_they_left(
    joined: datetime, left: datetime | None, starts: datetime
) -> None:
    if left is not None and left < joined:
        left = joined
    if meeting.expected(joined, left, starts):
        assert joined <= starts
        assert left is None or left > starts
    else:
        assert joined > starts or (left is not None and left <= starts)
