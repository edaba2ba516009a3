"""No figure a report shows tells anything about fewer than k learners, even by subtraction."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opes_lti.competencies.disclosure import Node, disclose
from opes_lti.competencies.gain import Sums

KEYS = [("f1", a, f"{a}.{i}") for a in ("A", "B", "C") for i in range(1, 4)] + [("f2", "X", "X.1")]


def _sums(n: int) -> Sums:
    return Sums(n=n, sum_pre=n, sum_post=2 * n, sum_diff_sq=n)


cells = st.dictionaries(st.sampled_from(KEYS), st.integers(1, 12).map(_sums), min_size=1)


@st.composite
def views(draw: st.DrawFn) -> tuple[dict, list[dict], int]:
    shown = draw(cells)
    wider = [
        {key: _sums(s.n + draw(st.integers(0, 6))) for key, s in shown.items()}
        for _ in range(draw(st.integers(0, 2)))
    ]
    return shown, wider, draw(st.integers(1, 6))


def _check_siblings(siblings: list[Node], k: int) -> None:
    hidden = [n for n in siblings if n.suppressed]
    if hidden and any(not n.suppressed for n in siblings):
        assert len(hidden) >= 2
        assert sum(n.sums.n for n in hidden) >= k


@given(views())
def test_what_is_shown_never_describes_fewer_than_k(view: tuple[dict, list[dict], int]) -> None:
    shown, wider, k = view
    for framework in disclose(shown, wider, k):
        _check_siblings(framework.children, k)
        if not framework.suppressed:
            assert framework.stats().n >= k
        for area in framework.children:
            _check_siblings(area.children, k)
            if not area.suppressed:
                assert area.stats().n >= k
            for leaf in area.children:
                key = (framework.code, area.code, leaf.code)
                if leaf.suppressed:
                    assert leaf.stats().suppressed
                    assert leaf.stats().mean_pre is None
                    continue
                assert leaf.stats().n >= k
                for other in wider:  # the view without one filter, minus this one
                    left_out = other[key].n - shown[key].n
                    assert left_out == 0 or left_out >= k


def test_a_lone_small_competence_takes_the_smallest_sibling_with_it() -> None:
    shown = {KEYS[0]: _sums(9), KEYS[1]: _sums(6), KEYS[2]: _sums(2)}
    [framework] = disclose(shown, k=5)
    [area] = framework.children
    assert [leaf.suppressed for leaf in area.children] == [False, True, True]
    assert (area.suppressed, area.stats().n) == (False, 17)


def test_a_filter_that_leaves_out_a_few_learners_hides_the_view() -> None:
    shown = {KEYS[0]: _sums(20)}
    [framework] = disclose(shown, [{KEYS[0]: _sums(22)}], k=5)
    assert framework.suppressed
    assert framework.children[0].children[0].suppressed
    [framework] = disclose(shown, [{KEYS[0]: _sums(30)}], k=5)
    assert not framework.children[0].children[0].suppressed
