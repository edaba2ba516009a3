"""JSON nesting is bounded before parsing, with the same answer as the parser's depth."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.core import safejson


def _nesting(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_nesting(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_nesting(v) for v in value.values()), default=0)
    return 0


TEXT = st.text(alphabet=st.sampled_from('[]{}"\\ab,:'), max_size=6)
JSON = st.recursive(
    st.none() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=60,
)


@given(value=JSON, extra=st.integers(0, 40))
def test_the_depth_check_agrees_with_the_parser(value: Any, extra: int) -> None:
    for _ in range(extra):
        value = [value]
    raw = json.dumps(value).encode()
    deep = _nesting(value) > safejson.MAX_DEPTH
    assert safejson.too_deep(raw) is deep
    if deep:
        with pytest.raises(safejson.JsonError):
            safejson.loads(raw)
    else:
        assert safejson.loads(raw) == value


@pytest.mark.parametrize(
    "raw",
    [b"[" * 100_000, b"[" * 100_000 + b"]", b'{"a":' * 5_000 + b"1" + b"}" * 5_000, b"\xff\xfe"],
)
def test_hostile_json_is_a_json_error_never_a_crash(raw: bytes) -> None:
    with pytest.raises(safejson.JsonError):
        safejson.loads(raw)
