"""The one place touching Open edX: settings buckets, the viewer, the teams service."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_xblocks import compat
from tests.xblocks.conftest import block_from

PRE = '<opes_selfassessment framework="terzo-settore-base" phase="pre"/>'
keys = st.sampled_from(["REPORTING_URL", "REPORTING_TOKEN", "SOURCE_NAME", "TOOL_URL"])
buckets = st.dictionaries(keys, st.text(min_size=1, max_size=20), max_size=4)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(opes=buckets, legacy=buckets)
def test_the_opes_bucket_wins_and_the_old_one_still_counts(
    make_runtime: Callable[..., Any], opes: dict[str, str], legacy: dict[str, str]
) -> None:
    from django.test import override_settings

    block = block_from(make_runtime(), PRE)
    with override_settings(XBLOCK_SETTINGS={"OPES": opes, "SelfAssessmentXBlock": legacy}):
        seen, site = compat.block_settings(block), compat.site_settings()
    assert seen == site == {**legacy, **opes}


def test_the_old_bucket_is_read_with_a_deprecation_warning(
    make_runtime: Callable[..., Any], caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    from django.test import override_settings

    monkeypatch.setattr(compat, "_warned", False)
    block = block_from(make_runtime(), PRE)
    with (
        caplog.at_level(logging.WARNING, logger="opes_xblocks.compat"),
        override_settings(XBLOCK_SETTINGS={"SelfAssessmentXBlock": {"SOURCE_NAME": "old"}}),
    ):
        assert block.source_name() == "old"
        block.opes_settings()
    warnings = [r.getMessage() for r in caplog.records if "deprecated" in r.getMessage()]
    assert len(warnings) == 1  # once per process, not per view
    assert "'OPES'" in warnings[0]


def test_the_viewer_is_a_pseudonym_and_staff_comes_from_the_runtime(
    make_runtime: Callable[..., Any],
) -> None:
    runtime = make_runtime("maria.rossi", staff=True)
    block = block_from(runtime, PRE)
    viewer = block.viewer()
    assert viewer.is_staff is True
    assert "maria" not in viewer.pseudonym
    assert viewer.pseudonym == hashlib.sha256(b"openedx\x1fmaria.rossi").hexdigest()
    assert block_from(make_runtime("luca"), PRE).viewer().is_staff is False


def test_without_a_teams_service_the_block_gets_none(make_runtime: Callable[..., Any]) -> None:
    block = block_from(make_runtime(), PRE)
    assert compat.teams(block) is None  # the workbench has none; Open edX may


def test_every_opes_block_reads_the_one_bucket() -> None:
    from opes_xblocks.base import OpesBlock
    from opes_xblocks.selfassessment import SelfAssessmentXBlock

    assert issubclass(SelfAssessmentXBlock, OpesBlock)
    assert SelfAssessmentXBlock.block_settings_key == "OPES"


class _Team:
    team_id, name = "t-7", "Squadra 7"


class _Teams:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.asked: list[tuple[Any, str, str]] = []

    def get_team(self, user: Any, course: str, teamset: str) -> Any:
        if self.fail:
            raise RuntimeError("teams app down")
        self.asked.append((user, course, teamset))
        return _Team() if teamset == "progetti" else None


class _Users:
    """Open edX's user service as its XBlockUserService answers (the calls the blocks make)."""

    _profile = type("Profile", (), {"name": "Maria Rossi"})()
    people: ClassVar[dict[str, Any]] = {
        "anon-2": type("User", (), {"username": "maria", "profile": _profile}),
        "anon-3": type("User", (), {"username": "luca"}),
    }

    def get_current_user(self) -> Any:
        return type("U", (), {"opt_attrs": {"edx-platform.anonymous_user_id": "anon-1"}})()

    def get_user_by_anonymous_id(self, anonymous: str) -> Any:
        if anonymous == "anon-1":
            return f"django-user-of-{anonymous}"
        if anonymous == "broken":
            raise RuntimeError("database down")
        return self.people.get(anonymous)

    def get_anonymous_user_id(self, username: str, course: str) -> str | None:
        found = {"maria": "anon-2", "maria@example.org": "anon-2"}.get(username)
        return f"{found}@{course}" if found else None


def _platform_block(teams: Any) -> Any:
    services = {"teams": teams, "user": _Users()}
    runtime = type(
        "R", (), {"service": lambda self, block, name: services[name], "course_id": "course-v1:X"}
    )()
    return type("B", (), {"runtime": runtime})()


def test_the_learners_team_is_read_as_ora_reads_it() -> None:
    teams = _Teams()
    block = _platform_block(teams)
    assert compat.learner_team(block, "progetti") == ("t-7", "Squadra 7")
    assert teams.asked == [("django-user-of-anon-1", "course-v1:X", "progetti")]
    assert compat.learner_team(block, "altro") is None  # no team in that teamset
    assert compat.learner_team(block, "") is None  # no teamset: the block forms groups
    assert len(teams.asked) == 2


def test_a_failing_teams_service_leaves_the_block_to_form_groups(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="opes_xblocks.compat"):
        assert compat.learner_team(_platform_block(_Teams(fail=True)), "progetti") is None
    assert "teams could not be read" in caplog.text


def test_staff_see_learners_by_name_through_the_platforms_user_service(
    caplog: pytest.LogCaptureFixture,
) -> None:
    block = _platform_block(_Teams())
    assert compat.name_of(block, "anon-2") == "Maria Rossi"  # the profile's full name
    assert compat.name_of(block, "anon-3") == "luca"  # no profile: the username
    assert compat.name_of(block, "nobody") is None
    assert compat.name_of(block, None) is None
    with caplog.at_level(logging.WARNING, logger="opes_xblocks.compat"):
        assert compat.name_of(block, "broken") is None
    assert "name could not be read" in caplog.text
    # The other way, for a spreadsheet: a username or an e-mail, in this course.
    assert compat.subject_of(block, "maria") == "anon-2@course-v1:X"
    assert compat.subject_of(block, "maria@example.org") == "anon-2@course-v1:X"
    assert compat.subject_of(block, "sconosciuto") is None


def test_in_the_workbench_a_learners_id_is_their_name(make_runtime: Callable[..., Any]) -> None:
    block = block_from(make_runtime("maria.rossi"), PRE)
    assert compat.viewer_subject(block) == "maria.rossi"
    assert compat.name_of(block, "luca") == "luca"
    assert compat.subject_of(block, "luca") == "luca"
    assert compat.pseudonym_of("maria.rossi") == block.viewer().pseudonym
