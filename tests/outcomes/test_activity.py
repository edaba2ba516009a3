"""Course outcomes: from an Open edX instructor's launch to that one course's dashboard."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import jwt
import pytest
import requests

from opes_lti.app import create_app
from opes_lti.core import migrate
from opes_lti.core.db import Database
from opes_lti.core.settings import Settings
from opes_lti.dashboard import handoff, viewer
from opes_lti.lti import keys
from tests.dashboard.conftest import AREA_TITLES, FRAMEWORK, GROUPS
from tests.dashboard.test_views import URLS
from tests.lti.conftest import Tool
from tests.outcomes.conftest import MINE, TWINS, action, enter, handoff_from, hidden
from tests.support.platform import OpenEdxPlatform, _Late, private_pem
from tests.support.servers import serve_wsgi

PA_TITLE = "Lavorare con la pubblica amministrazione"


def test_an_instructor_clicks_through_to_the_course_dashboard(
    tool: Tool, platform: OpenEdxPlatform, course_programme: object
) -> None:
    url, token = handoff_from(platform, tool, locale="en")
    assert url == tool.url + handoff.PATH
    browser, answer = enter(url, token)
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/dashboard/?lang=en")
    page = browser.get(tool.url + "/dashboard/?lang=en", timeout=10)
    assert page.status_code == 200
    assert "Outcomes of the course Corso OPES 2026, for its instructors" in page.text
    assert "Sign out" not in page.text
    gap = browser.get(tool.url + f"/dashboard/gap?framework={FRAMEWORK}&lang=it", timeout=10)
    assert PA_TITLE in gap.text
    export = browser.get(tool.url + "/dashboard/gap.csv?area=PA", timeout=10).text
    assert MINE in export
    assert TWINS not in export


def test_an_instructor_finds_no_other_courses_data_whatever_the_filter(
    tool: Tool, platform: OpenEdxPlatform, course_programme: object
) -> None:
    browser, answer = enter(*handoff_from(platform, tool))
    assert answer.status_code == 303
    filters = [f"course=corso-{g.region}" for g in GROUPS]
    filters += [f"region={g.region}" for g in GROUPS] + ["organisation=gemello", "region=09"]
    for url in URLS:
        for filter_ in filters:
            text = browser.get(
                tool.url + url.format(f=FRAMEWORK, filter=filter_, other="PA") + "&lang=it",
                timeout=10,
            )
            assert text.status_code == 200, (url, filter_, text.text[:300])
            # The twin course has the same id on another platform instance.
            assert TWINS not in text.text, (url, filter_)
            for group in GROUPS:
                assert AREA_TITLES[group.area] not in text.text, (url, filter_)
                assert group.competences[0] not in text.text, (url, filter_)
    overview = browser.get(tool.url + "/dashboard/?lang=en", timeout=10).text
    assert "<td>6</td>" in overview  # the course's six learners, not the programme's


def test_a_token_is_taken_once(tool: Tool, platform: OpenEdxPlatform) -> None:
    url, token = handoff_from(platform, tool)
    assert enter(url, token)[1].status_code == 303
    browser, again = enter(url, token)
    assert again.status_code == 403
    assert "Risultati del corso" in again.text  # what to open again, in Italian by default
    assert browser.get(tool.url + "/dashboard/", allow_redirects=False).status_code == 302


def _minted(tool: Tool, **changes: object) -> str:
    with tool.database.sessions() as db:
        key = keys.signing_key(db)
        kid, pem = key.kid, key.private_pem
    claims: dict[str, object] = {
        "issuer": tool.url,
        "audience": tool.url,
        "course": "corso-12",
        "title": "Corso",
        "locale": "it",
        "kid": kid,
        "private_pem": pem,
    } | changes
    return handoff.mint(**claims)  # type: ignore[arg-type]


def _forged_payload(tool: Tool) -> str:
    real = _minted(tool)
    head, _payload, signature = real.split(".")
    other = _minted(tool, course="corso-16").split(".")[1]
    return ".".join((head, other, signature))


@pytest.mark.parametrize(
    "make",
    [
        lambda tool: _minted(tool, now=datetime.now(UTC) - timedelta(minutes=10)),
        lambda tool: _minted(tool, audience="https://altro.example.it"),
        lambda tool: _minted(tool, issuer="https://altro.example.it"),
        lambda tool: _minted(tool, private_pem=private_pem()),
        _forged_payload,
        lambda tool: jwt.encode({"course": "corso-12"}, "k" * 32, algorithm="HS256"),
        lambda tool: "",
        lambda tool: "non-un-token",
    ],
    ids=["expired", "audience", "issuer", "other-key", "spliced", "hs256", "empty", "garbage"],
)
def test_a_bad_token_opens_nothing_and_says_what_to_do(tool: Tool, make: object) -> None:
    token = make(tool)  # type: ignore[operator]
    browser, answer = enter(tool.url + handoff.PATH, token)
    assert answer.status_code == 403
    assert "Course outcomes" in answer.text or "Risultati del corso" in answer.text
    assert browser.get(tool.url + "/dashboard/", allow_redirects=False).status_code == 302


def test_a_good_token_of_our_own_opens_the_course(tool: Tool) -> None:
    # The control for the cases above: the same minting, unchanged, is let in.
    assert enter(tool.url + handoff.PATH, _minted(tool))[1].status_code == 303


def test_a_learner_is_told_where_to_look_and_cannot_open_the_dashboard(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    launch = platform.launch(role="student", custom={"activity": "outcomes"}, locale="en")
    assert launch.response.status_code == 200
    assert "Your own results are shown in each activity" in launch.response.text
    assert 'name="token"' not in launch.response.text
    instructor = platform.launch(role="instructor", custom={"activity": "outcomes"})
    assert action(instructor.response.text).endswith("/outcomes/open")
    learner_token = hidden(
        platform.launch(role="student", custom={"activity": "placeholder"}).response.text, "token"
    )
    refused = requests.post(tool.url + "/outcomes/open", data={"token": learner_token}, timeout=10)
    assert refused.status_code == 403
    assert "handoff" not in refused.text


def test_an_instructors_session_ends_and_says_how_to_come_back(
    tool: Tool, platform: OpenEdxPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, answer = enter(*handoff_from(platform, tool))
    assert answer.status_code == 303
    later = time.time() + handoff.SESSION_HOURS * 3600 + 1
    monkeypatch.setattr(viewer, "time", SimpleNamespace(time=lambda: later))
    ended = browser.get(tool.url + "/dashboard/?lang=en", timeout=10)
    assert ended.status_code == 401
    assert "open the Course outcomes activity again" in ended.text
    assert browser.get(tool.url + "/dashboard/", allow_redirects=False).status_code == 302


def test_the_page_token_expired_opens_nothing(tool: Tool) -> None:
    answer = requests.post(tool.url + "/outcomes/open", data={"token": "scaduto"}, timeout=10)
    assert answer.status_code == 403


def test_a_reporting_service_of_its_own_checks_the_tools_published_keys(
    tool: Tool, platform: OpenEdxPlatform, settings: Settings, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'reporting.db'}"
    migrate.upgrade(url)
    late = _Late()
    with serve_wsgi(late) as reporting_url:
        reporting = settings.with_overrides(base_url=reporting_url, tool_url=tool.url)
        late.app = create_app(reporting, "reporting", database=Database(url))
        tool.app.config["OPES_SETTINGS"] = tool.app.config["OPES_SETTINGS"].with_overrides(
            reporting_url=reporting_url
        )
        target, token = handoff_from(platform, tool)
        assert target == reporting_url + handoff.PATH
        browser, answer = enter(target, token)
        assert answer.status_code == 303, answer.text[:300]
        assert browser.get(reporting_url + "/dashboard/", timeout=10).status_code == 200
        # A token the tool never signed is refused there too, keys fetched or not.
        forged = _minted(tool, audience=reporting_url, private_pem=private_pem())
        assert enter(target, forged)[1].status_code == 403


def test_a_token_posted_from_another_site_is_refused_and_not_spent(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    # Login CSRF: an instructor of any course could post their own token from their site,
    # swapping a visiting coordinator's session for a view of that course.
    url, token = handoff_from(platform, tool)
    for headers in (
        {"Origin": "https://elsewhere.example"},
        {"Origin": "null"},
        {"Referer": "https://elsewhere.example/page"},
        {"Origin": tool.url.replace("127.0.0.1", "localhost")},
    ):
        browser = requests.Session()
        answer = browser.post(url, data={"token": token}, headers=headers, allow_redirects=False)
        assert answer.status_code == 403, headers
        assert browser.get(tool.url + "/dashboard/", allow_redirects=False).status_code == 302
    # From the tool's own page the same token still opens the course: none was spent.
    browser = requests.Session()
    sent = {"Origin": tool.url, "Referer": tool.url + "/outcomes/open"}
    answer = browser.post(url, data={"token": token}, headers=sent, allow_redirects=False)
    assert answer.status_code == 303
