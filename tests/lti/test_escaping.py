"""Markup in every place a person or a platform can write text reaches no page as markup.

Hostile text goes into the launch (custom parameters, course and link titles, the
locale), the learner's profile, a framework's texts, the roster's names and the
platform's registered name; then every page those reach, and the class export, are
read. A page may show the text, escaped; it may never contain the markup itself.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.accounts import services as accounts
from opes_lti.competencies.framework import Area, Competency, Framework, Text, check
from opes_lti.framework_library import services as library
from opes_lti.lti.registrations import PlatformSpec, add_platform
from tests.lti.conftest import Tool
from tests.support.platform import OpenEdxPlatform

#: Each carries the marker, so finding it raw in a page means markup got through.
FRAGMENTS = [
    '<b id="opes-xss">',
    '"><img id="opes-xss" src=x onerror=alert(1)>',
    '</textarea><script id="opes-xss">alert(1)</script>',
    "'><svg id='opes-xss' onload=alert(1)>",
]
RAW = re.compile(r"<(?:b|img|script|svg)\b[^>]*\bid=[\"']?opes-xss", re.IGNORECASE)
PASSWORD = "a long enough password"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def _hostile_framework(text: str) -> Framework:
    competency = Competency(
        code="X.1",
        title=Text("Ascolto " + text, "Listening " + text),
        description=Text("Descrizione " + text, ""),
        descriptors=(Text("poco " + text, "little"), Text("molto", "a lot " + text)),
        targets={"manager": 2},
    )
    return Framework(
        id="ostile",
        version="1",
        title=Text("Quadro " + text, "Framework " + text),
        scope="person",
        levels=(Text("Base " + text, "Basic"), Text("Alto", "High " + text)),
        areas=(Area("X", Text("Area " + text, "Area"), (competency,)),),
    )


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, page[-1500:]
    return match.group(1)


def _clean(where: str, response: requests.Response) -> str:
    assert response.status_code < 500, (where, response.text[-500:])
    found = RAW.search(response.text)
    assert found is None, f"{where}: markup got through: {response.text[found.start() - 200 :]}"
    return response.text


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.sampled_from(FRAGMENTS), tail=st.text(max_size=5))
def test_hostile_text_is_escaped_on_every_page_it_reaches(
    tool: Tool, platform: OpenEdxPlatform, text: str, tail: str
) -> None:
    hostile = text + tail.replace("\x00", "")
    framework = _hostile_framework(hostile)
    assert check(framework) == []
    with tool.database.transaction() as db:
        if "ostile" not in {f.id for f in library.all_listed(db)}:
            library.add(db, framework)
            accounts.add_account(db, "anna", PASSWORD, "admin")
        # A second registration whose name is hostile, for the admin page.
        add_platform(
            db,
            PlatformSpec(
                **platform.registration()
                | {
                    "name": "Moodle " + hostile,
                    "issuer": f"https://other-{secrets.token_hex(4)}.example.it",
                }
            ),
        )

    custom: dict[str, Any] = {
        "activity": "selfassessment",
        "framework": "ostile",
        "phase": "pre",
        "display": "competency",
        "opes_organisation": hostile,
    }
    # The test activity: course and link titles in the page.
    placeholder = platform.launch(
        role="student", custom={"activity": "placeholder", "note": hostile}, course_title=hostile
    ).response
    _clean("test activity", placeholder)
    # Launch refusals that repeat what the link said.
    for bad in (
        {"activity": hostile},
        custom | {"framework": hostile},
        custom | {"areas": hostile},
    ):
        _clean(f"refusal {bad}", platform.launch(role="student", custom=bad).response)

    # A learner: profile prefilled from the launch, saved with hostile text, questions, result.
    user = "u" + str(abs(hash(hostile)) % 100_000)
    first = platform.launch(role="student", user_id=user, custom=custom, course_title=hostile)
    page = _clean("profile", first.response)
    token = _hidden(page, "token")
    saved = requests.post(
        tool.url + "/selfassessment/profile",
        data={"token": token, "role": "volunteer", "organisation": hostile, "region": "16"},
        timeout=30,
    )
    page = _clean("first screen", saved)
    edit = requests.post(
        tool.url + "/selfassessment/profile", data={"token": token, "action": "edit"}, timeout=30
    )
    _clean("profile again", edit)
    answered = requests.post(
        tool.url + "/selfassessment/screen",
        data={"token": token, "screen": _hidden(page, "screen"), "nav": "submit", "level-X.1": "2"},
        timeout=30,
    )
    _clean("result", answered)

    # An instructor: the class view with names from the roster, and its export.
    platform.enable_nrps(
        [{"user_id": user, "roles": [LEARNER], "status": "Active", "name": "Anna " + hostile}]
    )
    view = platform.launch(role="instructor", custom=custom | {"phase": "post"}).response
    page = _clean("class view", view)
    export = requests.post(
        tool.url + "/selfassessment/class.csv", data={"token": _hidden(page, "token")}, timeout=30
    )
    assert export.status_code == 200
    assert export.headers["Content-Type"].startswith("text/csv")
    for line in export.text.splitlines()[1:]:
        for value in line.split(","):
            assert not value.strip('"').startswith(("=", "+", "@")), line

    # The framework's public pages.
    for path in ("/frameworks/", "/frameworks/index.json", "/frameworks/ostile.json"):
        response = requests.get(tool.url + path, timeout=30)
        if response.headers["Content-Type"].startswith("text/html"):
            _clean(path, response)
        else:
            assert response.status_code == 200
            assert "json" in response.headers["Content-Type"]

    # The administrators' page lists the platform's name.
    admin = tool.app.test_client()
    form = admin.get("/login").get_data(as_text=True)
    signed = admin.post(
        "/login?next=/admin/platforms",
        data={"csrf": _hidden(form, "csrf"), "username": "anna", "password": PASSWORD},
    )
    assert signed.status_code == 302
    listing = admin.get("/admin/platforms")
    assert listing.status_code == 200
    assert RAW.search(listing.get_data(as_text=True)) is None
