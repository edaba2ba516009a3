"""Numbers typed with a decimal comma or point read the same."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opes_lti.groups.numbers import decimal


@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([".", ","]),
       st.sampled_from(["", " ", "\t"]))  # fmt: skip
def test_a_comma_or_a_point_reads_the_same(value: float, point: str, pad: str) -> None:
    typed = pad + repr(value).replace(".", point) + pad
    found = decimal(typed)
    assert found == value  # repr round-trips exactly


def test_what_is_not_a_number_is_none() -> None:
    for raw in ("", "  ", "sette", "7,5,1", None, "1.2.3"):
        assert decimal(raw) is None, raw
