"""Grades back to Open edX's platform code: tokens it issued and checked, a queue that
survives an outage."""

from __future__ import annotations

import re

import requests
import sqlalchemy as sa

from opes_lti.lti.grades import GradeJob, GradeSender
from opes_lti.lti.runtime import page_sessions
from opes_lti.lti.sessions import PageSessions
from tests.lti.conftest import Tool
from tests.support.platform import OpenEdxPlatform


def _complete(tool: Tool, platform: OpenEdxPlatform, **claims: object) -> requests.Response:
    browser = requests.Session()
    result = platform.launch(browser, **claims)
    assert result.response.status_code == 200, result.response.text[-500:]
    token = re.search(r'name="token" value="([^"]+)"', result.response.text).group(1)
    return browser.post(tool.url + "/placeholder/complete", data={"token": token}, timeout=10)


def test_grades_completion_creates_the_line_item_and_posts_the_score(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    platform.enable_ags()
    answer = _complete(tool, platform, user_id="learner-3")
    assert answer.status_code == 200
    assert "registro del corso" in answer.text
    report = GradeSender(tool.database.sessions).drain()
    with tool.database.sessions() as db:
        errors = db.scalars(sa.select(GradeJob.last_error)).all()
    assert (report.sent, report.failed) == (1, 0), errors
    assert platform.lineitems == [
        {
            "id": platform.url + "/lineitems/1",
            "label": "Test activity",
            "scoreMaximum": 1.0,
            "resourceId": "placeholder",
            "resourceLinkId": "block-v1:OPES+PS+2026+type@lti+block@1",
        }
    ]
    [score] = platform.scores
    assert score["userId"] == "learner-3"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (1.0, 1.0)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    assert score["timestamp"]
    assert platform.tokens_checked >= 2


def test_grades_second_completion_reuses_the_line_item(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    platform.enable_ags()
    _complete(tool, platform, user_id="a")
    _complete(tool, platform, user_id="b")
    GradeSender(tool.database.sessions).drain()
    assert len(platform.lineitems) == 1
    assert [s["userId"] for s in platform.scores] == ["a", "b"]


def test_grades_use_the_launch_line_item_when_the_platform_names_one(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    platform.enable_ags(lineitem=True)
    _complete(tool, platform)
    GradeSender(tool.database.sessions).drain()
    assert [s["lineitem"] for s in platform.scores] == [1]
    assert len(platform.lineitems) == 1


def test_grades_survive_a_platform_outage(tool: Tool, platform: OpenEdxPlatform) -> None:
    platform.enable_ags()
    platform.score_failures = 1
    _complete(tool, platform)
    sender = GradeSender(tool.database.sessions)
    first = sender.run_once()
    assert (first.sent, first.retried) == (0, 1)
    with tool.database.sessions() as db:
        job = db.scalar(sa.select(GradeJob))
        assert job.status == "pending"
        assert "503" in job.last_error
        # Make it due now rather than waiting out the backoff.
        db.execute(sa.update(GradeJob).values(next_attempt_at=sa.func.now()))
        db.commit()
    assert sender.run_once().sent == 1
    assert len(platform.scores) == 1


def test_grades_without_ags_the_learner_is_told_and_nothing_is_queued(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    answer = _complete(tool, platform)
    assert answer.status_code == 200
    assert "non prevede un voto" in answer.text
    with tool.database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(GradeJob)) == 0


def test_grades_expired_or_forged_page_token_is_refused(tool: Tool) -> None:
    response = requests.post(
        tool.url + "/placeholder/complete", data={"token": "forged"}, timeout=10
    )
    assert response.status_code == 403


def test_grades_altered_page_token_is_refused(tool: Tool, platform: OpenEdxPlatform) -> None:
    result = platform.launch(requests.Session())
    token = re.search(r'name="token" value="([^"]+)"', result.response.text).group(1)
    with tool.app.app_context():
        data = page_sessions().read(token)
        assert data is not None
        data["roles"] = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
        other_key = PageSessions("another tool's secret").sign(data)
    # The instructor's payload under the learner's real timestamp and signature: a change
    # of meaning, where flipping a character might only touch base64's padding bits.
    payload, stamp_and_signature = other_key.split(".", 1)[0], token.split(".", 1)[1]
    spliced = f"{payload}.{stamp_and_signature}"
    assert spliced != token
    for forged in (other_key, spliced):
        response = requests.post(
            tool.url + "/placeholder/complete", data={"token": forged}, timeout=10
        )
        assert response.status_code == 403


def test_page_session_keeps_no_names_or_emails(tool: Tool, platform: OpenEdxPlatform) -> None:
    browser = requests.Session()
    result = platform.launch(browser)
    token = re.search(r'name="token" value="([^"]+)"', result.response.text).group(1)
    with tool.app.app_context():
        kept = page_sessions().read(token)
    assert kept["claims"]["sub"] == "42"
    assert "name" not in kept["claims"]  # the platform sent "Maria Rossi"
    assert "Maria Rossi" not in str(kept)
