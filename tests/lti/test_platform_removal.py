"""Removing a platform never destroys learners' work; purging is explicit and recorded.

Found on a real Moodle: 'platforms remove' deleted every answer, launch and queued grade
of the platform, and after adding the same Moodle back a student who had submitted was
at the first screen again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.cli import main
from opes_lti.core.db import Database, utcnow
from opes_lti.core.purges import PurgeRecord
from opes_lti.lti import registrations
from opes_lti.lti.grades import GradeJob
from opes_lti.lti.models import LaunchRecord, Platform
from opes_lti.lti.registrations import RegistrationError
from opes_lti.selfassessment.models import AnswerSet
from tests.lti.conftest import Tool
from tests.selfassessment.test_lti_questionnaire import _answer_all, _launch
from tests.support.factories import platform_args, platform_spec
from tests.support.platform import OpenEdxPlatform

RESULT_IT = "Il mio profilo di competenze"


@pytest.fixture
def cli(tool: Tool) -> Callable[..., Result]:
    conf = tool.app.config["OPES_SETTINGS"]
    env = {
        "OPES_DATABASE_URL": conf.database_url,
        "OPES_INSTANCE_PATH": str(conf.instance_path),
        "OPES_SECRET_KEY": conf.secret_key,
    }

    def invoke(*args: str, stdin: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)

    return invoke


def _counts(database: Database) -> dict[str, int]:
    with database.sessions() as db:
        return {
            model.__tablename__: db.scalar(sa.select(sa.func.count()).select_from(model)) or 0
            for model in (AnswerSet, LaunchRecord, GradeJob, Platform)
        }


def _platform_args(platform: OpenEdxPlatform) -> list[str]:
    spec = platform.registration()
    fields = ("issuer", "client_id", "auth_login_url", "auth_token_url", "key_set_url")
    return platform_args(
        platform_spec(**{f: spec[f] for f in fields}, deployment_ids=(platform.deployment_id,))
    )


def test_removing_and_adding_back_a_platform_keeps_the_learners_work(
    tool: Tool, platform: OpenEdxPlatform, cli: Callable[..., Result]
) -> None:
    platform.enable_ags(lineitem=True)
    done = _answer_all(tool, _launch(platform).text, level=3)
    assert RESULT_IT in done.text
    before = _counts(tool.database)
    assert before["selfassessment_answers"] == 1
    assert before["lti_grade_queue"] == 1

    removed = cli("platforms", "remove", "1")
    assert removed.exit_code == 0, removed.output
    assert "1 in selfassessment_answers" in removed.output
    refused = platform.launch(role="student", custom={"activity": "selfassessment"})
    assert refused.response.status_code == 403
    assert "<code>unknown_platform</code>" in refused.response.text
    assert _counts(tool.database) == before | {"lti_launches": before["lti_launches"]}

    restored = cli("platforms", "add", *_platform_args(platform))
    assert "restored" in restored.output, restored.output
    again = _launch(platform)
    assert RESULT_IT in again.text
    assert "Schermata 1" not in again.text
    assert _counts(tool.database)["selfassessment_answers"] == 1


def test_purge_says_what_it_deletes_asks_and_is_recorded(
    tool: Tool, platform: OpenEdxPlatform, cli: Callable[..., Result]
) -> None:
    _answer_all(tool, _launch(platform).text, level=2)
    busy = cli("platforms", "purge", "1", "--yes")
    assert busy.exit_code == 1
    assert "remove it first" in busy.output
    cli("platforms", "remove", "1")
    before = _counts(tool.database)

    declined = cli("platforms", "purge", "1", stdin="n\n")
    assert declined.exit_code == 1
    assert "1 in selfassessment_answers" in declined.output
    assert f"{before['lti_launches']} in lti_launches" in declined.output
    assert "nothing deleted" in declined.output
    assert _counts(tool.database) == before

    purged = cli("platforms", "purge", "1", stdin="y\n")
    assert purged.exit_code == 0, purged.output
    assert "recorded as purge 1" in purged.output
    assert _counts(tool.database) == dict.fromkeys(before, 0)
    with tool.database.sessions() as db:
        entry = db.scalars(sa.select(PurgeRecord)).one()
    assert entry.kind == "platform"
    assert platform.url in entry.subject
    assert entry.deleted["selfassessment_answers"] == 1
    listing = cli("purges", "list").output
    assert "platform Open edX (test)" in listing
    assert "1 in selfassessment_answers" in listing


OPERATIONS = st.lists(st.sampled_from(["add", "work", "remove", "purge"]), max_size=10)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_no_sequence_of_adds_and_removes_loses_work_only_a_purge_does(
    database: Database, operations: list[str]
) -> None:
    issuer = f"https://lms-{uuid.uuid4().hex[:8]}.example"
    spec = platform_spec(issuer, name="LMS", deployment_ids=("d",))
    state, work, platform_id = "none", 0, None
    for operation in operations:
        with database.transaction() as db:
            if operation == "add":
                if state == "active":
                    with pytest.raises(RegistrationError):
                        registrations.add_platform(db, spec)
                else:
                    added = registrations.add_platform(db, spec).id
                    if state == "removed":
                        assert added == platform_id  # the same registration, restored
                    platform_id, state = added, "active"
            elif operation == "work" and state == "active":
                db.add(
                    LaunchRecord(
                        platform_id=platform_id,
                        deployment_id="d",
                        user="u",
                        message_type="LtiResourceLinkRequest",
                        roles=[],
                        locale="it",
                        created_at=utcnow(),
                    )
                )
                work += 1
            elif operation == "remove" and platform_id is not None and state != "none":
                if state == "removed":
                    with pytest.raises(RegistrationError):
                        registrations.remove_platform(db, platform_id)
                else:
                    registrations.remove_platform(db, platform_id)
                    state = "removed"
            elif operation == "purge" and platform_id is not None and state != "none":
                if state == "active":
                    with pytest.raises(RegistrationError):
                        registrations.purge_platform(db, platform_id)
                else:
                    registrations.purge_platform(db, platform_id)
                    state, work, platform_id = "none", 0, None
        with database.sessions() as db:
            kept = db.scalar(
                sa.select(sa.func.count())
                .select_from(LaunchRecord)
                .join(Platform)
                .where(Platform.issuer == issuer)
            )
            found = registrations.platforms_for(db, issuer)
        assert kept == work, operations
        assert bool(found) == (state == "active"), operations
