"""The learner profile is cleaned the same way for both faces."""

from __future__ import annotations

import pytest

from opes_lti.learners.profile import Profile, ProfileError, clean, prefill


def test_profile_fields_are_optional_and_cleaned() -> None:
    assert clean({}) == Profile()
    cleaned = clean(
        {"role": "volunteer", "organisation": " APS\u00a0 Il\tPonte\x01 ", "region": "16"}
    )
    assert cleaned == Profile("volunteer", "APS Il Ponte", "16")
    assert cleaned.actor("u1").region == "16"  # a valid event actor


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"role": "boss"}, "role"),
        ({"region": "21"}, "region"),
        ({"organisation": "x" * 201}, "organisation"),
    ],
)
def test_profile_bad_field_is_named(raw: dict[str, str], field: str) -> None:
    with pytest.raises(ProfileError) as caught:
        clean(raw)
    assert caught.value.field == field


def test_prefill_keeps_only_valid_custom_parameters() -> None:
    assert prefill({"opes_role": "manager", "opes_region": "99", "opes_organisation": "ETS"}) == (
        Profile("manager", "ETS", None)
    )
