"""The report's course key: one per course per platform instance, whatever the ids."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opes_lti.events.domain import COURSE_KEY_LENGTH, Context

# Few letters, spaces and "@": the ways one course's key could be mistaken for another's.
_ids = st.text(alphabet="ab @:/.#è", max_size=198).map(lambda t: f"x{t}x")


@given(_ids, _ids, _ids, _ids)
def test_two_courses_share_a_key_only_if_both_ids_match(
    course_a: str, site_a: str, course_b: str, site_b: str
) -> None:
    a = Context(platform="lti", platform_id=site_a, course=course_a).course_key()
    b = Context(platform="lti", platform_id=site_b, course=course_b).course_key()
    assert a is not None
    assert len(a) <= COURSE_KEY_LENGTH
    assert (a == b) == ((course_a, site_a) == (course_b, site_b))


@given(_ids)
def test_a_course_without_its_instance_keeps_its_id(course: str) -> None:
    assert Context(platform="openedx", course=course).course_key() == course
    assert Context(platform="openedx", platform_id="x").course_key() is None
