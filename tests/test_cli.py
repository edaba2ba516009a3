"""The opes-lti command, run as an operator would, against a real database."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from flask import Flask

from opes_lti.cli import main
from opes_lti.core import migrate
from opes_lti.core.db import Database
from opes_lti.events.outbox import SqlOutbox
from opes_lti.reporting.models import Source, StoredEvent
from opes_lti.reporting.sources import hash_token
from tests.support.servers import serve_wsgi


@pytest.fixture
def run(tmp_path: Path, database_url: str, database: Database) -> Callable[..., Result]:
    # ``database``: its teardown empties the shared PostgreSQL database after each test.
    env = {
        "OPES_INSTANCE_PATH": str(tmp_path / "instance"),
        "OPES_DATABASE_URL": database_url,
        "OPES_SOURCE_NAME": "tool-a",
    }

    def invoke(*args: str, extra_env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(
            main, list(args), env=env | (extra_env or {}), catch_exceptions=False
        )

    return invoke


COMMANDS = [
    [],
    ["serve"],
    ["db"],
    ["db", "upgrade"],
    ["db", "downgrade"],
    ["db", "current"],
    ["sources"],
    ["sources", "add"],
    ["sources", "list"],
    ["sources", "revoke"],
    ["sources", "rotate"],
    ["outbox"],
    ["outbox", "flush"],
    ["outbox", "worker"],
    ["outbox", "status"],
    ["outbox", "rejected"],
    ["outbox", "retry"],
    ["outbox", "purge"],
    ["demo"],
    ["platforms"],
    ["platforms", "add"],
    ["platforms", "add-deployment"],
    ["platforms", "remove"],
    ["platforms", "list"],
    ["platforms", "purge"],
    ["purges"],
    ["purges", "list"],
    ["keys"],
    ["keys", "rotate"],
    ["keys", "list"],
    ["grades"],
    ["grades", "flush"],
    ["grades", "worker"],
    ["grades", "status"],
    ["accounts"],
    ["accounts", "add"],
    ["accounts", "list"],
    ["accounts", "remove"],
    ["frameworks"],
    ["frameworks", "check"],
    ["frameworks", "add"],
    ["frameworks", "list"],
    ["frameworks", "export"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "opes-lti")
def test_cli_every_command_explains_itself(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    # The first line of the docstring is the summary shown under Usage.
    assert len(result.output.splitlines()) > 3


def test_cli_sources_add_shows_the_token_once_and_stores_its_hash(
    run: Callable[..., Result], database: Database
) -> None:
    result = run("sources", "add", "moodle-puglia")
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("opes_")
    with database.sessions() as db:
        source = db.scalar(sa.select(Source))
    assert source.token_hash == hash_token(token)
    assert token not in run("sources", "list").output


def test_cli_sources_lifecycle(run: Callable[..., Result]) -> None:
    assert "no sources yet" in run("sources", "list").output
    run("sources", "add", "openedx-main")
    assert "active" in run("sources", "list").output
    assert "revoked" in run("sources", "revoke", "openedx-main").output
    assert "revoked" in run("sources", "list").output
    rotated = run("sources", "rotate", "openedx-main")
    assert rotated.output.strip().splitlines()[-1].startswith("opes_")
    assert "active" in run("sources", "list").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sources", "add", "Bad Name"], "invalid source name"),
        (["sources", "revoke", "nobody"], "no source named 'nobody'"),
        (["sources", "rotate", "nobody"], "no source named 'nobody'"),
    ],
)
def test_cli_sources_errors_are_plain_messages(
    run: Callable[..., Result], args: list[str], message: str
) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_sources_add_twice_is_refused(run: Callable[..., Result]) -> None:
    run("sources", "add", "dup")
    result = run("sources", "add", "dup")
    assert result.exit_code == 1
    assert "exists already" in result.output


def test_cli_db_current_reports_the_migrated_revision(run: Callable[..., Result]) -> None:
    assert run("db", "current").output.strip() == migrate.head()
    assert migrate.head() in run("db", "upgrade").output


def test_cli_bad_setting_is_a_clear_error(run: Callable[..., Result]) -> None:
    result = run("outbox", "status", extra_env={"OPES_OUTBOX_BATCH_SIZE": "many"})
    assert result.exit_code == 1
    assert "OPES_OUTBOX_BATCH_SIZE must be a whole number" in result.output


def test_cli_demo_then_flush_delivers_everything_once(
    run: Callable[..., Result], app: Flask, make_source: Callable[..., str], database: Database
) -> None:
    token = make_source("tool-a")
    first = run("demo", "--learners", "3")
    assert first.exit_code == 0
    queued = int(first.output.split()[0])
    assert f"pending: {queued}" in run("outbox", "status").output
    assert f"{queued} new demo events" in first.output
    # Demo events are the same each run: queuing them again adds nothing, and says so.
    again = run("demo", "--learners", "3")
    assert "nothing added" in again.output
    assert "queued for" not in again.output
    assert SqlOutbox(database.sessions).counts()["pending"] == queued
    # More learners: only the new ones' events are new.
    more = run("demo", "--learners", "4")
    added = int(more.output.split()[0])
    assert 0 < added < queued
    assert SqlOutbox(database.sessions).counts()["pending"] == queued + added
    queued += added
    with serve_wsgi(app) as url:
        flushed = run(
            "outbox", "flush", extra_env={"OPES_REPORTING_URL": url, "OPES_REPORTING_TOKEN": token}
        )
    assert flushed.exit_code == 0, flushed.output
    assert f"delivered {queued}" in flushed.output
    with database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(StoredEvent)) == queued
    assert "no rejected events" in run("outbox", "rejected").output


def test_cli_flush_without_a_reporting_url_says_what_to_set(run: Callable[..., Result]) -> None:
    result = run("outbox", "flush")
    assert result.exit_code == 1
    assert "OPES_REPORTING_URL" in result.output


def test_cli_flush_against_a_down_service_fails_and_keeps_the_events(
    run: Callable[..., Result], database: Database
) -> None:
    run("demo", "--learners", "1")
    result = run(
        "outbox",
        "flush",
        extra_env={"OPES_REPORTING_URL": "http://127.0.0.1:9", "OPES_REPORTING_TOKEN": "opes_x"},
    )
    assert result.exit_code == 1
    assert "unreachable" in result.output
    counts = SqlOutbox(database.sessions).counts()
    assert counts["delivered"] == 0
    assert counts["pending"] > 0


PLATFORM_ARGS = [
    "--name",
    "Moodle Puglia",
    "--issuer",
    "https://moodle.example.it",
    "--client-id",
    "abc123",
    "--login-url",
    "https://moodle.example.it/mod/lti/auth.php",
    "--token-url",
    "https://moodle.example.it/mod/lti/token.php",
    "--jwks-url",
    "https://moodle.example.it/mod/lti/certs.php",
    "--deployment",
    "1",
]


def test_cli_platforms_lifecycle(run: Callable[..., Result]) -> None:
    assert "no platforms yet" in run("platforms", "list").output
    added = run("platforms", "add", *PLATFORM_ARGS)
    assert added.exit_code == 0, added.output
    assert "platform 1 registered" in added.output
    assert "deployment 7 added" in run("platforms", "add-deployment", "1", "7").output
    listing = run("platforms", "list").output
    assert "Moodle Puglia" in listing
    assert "deployments 1, 7" in listing
    removed = run("platforms", "remove", "1").output
    assert "platform 1 removed" in removed
    assert "Kept:" in removed
    assert "[removed " in run("platforms", "list").output
    again = run("platforms", "remove", "1")
    assert again.exit_code == 1
    assert "removed already" in again.output
    restored = run("platforms", "add", *PLATFORM_ARGS)
    assert "platform 1 restored" in restored.output, restored.output
    assert "[removed " not in run("platforms", "list").output
    assert "deployments 1, 7" in run("platforms", "list").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["platforms", "add", *PLATFORM_ARGS[:-2], "--login-url", "ftp://x"], "must be an http"),
        (["platforms", "remove", "99"], "no platform with id 99"),
        (["platforms", "purge", "99", "--yes"], "no platform with id 99"),
        (["platforms", "add-deployment", "99", "1"], "no platform with id 99"),
    ],
)
def test_cli_platforms_errors_are_plain(
    run: Callable[..., Result], args: list[str], message: str
) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert message in result.output


def test_cli_platforms_same_registration_twice_is_refused(run: Callable[..., Result]) -> None:
    run("platforms", "add", *PLATFORM_ARGS)
    result = run("platforms", "add", *PLATFORM_ARGS)
    assert result.exit_code == 1
    assert "registered already" in result.output


def test_cli_keys_rotate_publishes_new_and_previous_never_private(
    run: Callable[..., Result], app: Flask
) -> None:
    first = run("keys", "rotate").output.split()[3].rstrip(";")
    second = run("keys", "rotate").output.split()[3].rstrip(";")
    third = run("keys", "rotate").output.split()[3].rstrip(";")
    listing = run("keys", "list").output
    assert f"{third}" in listing.splitlines()[0]
    assert "signing" in listing.splitlines()[0]
    assert "retired" in listing.splitlines()[2]
    assert "PRIVATE" not in listing
    published = app.test_client().get("/lti/jwks").json["keys"]
    assert [k["kid"] for k in published] == [third, second]
    assert first not in {k["kid"] for k in published}
    assert all("d" not in k and k["alg"] == "RS256" and k["use"] == "sig" for k in published)


def test_cli_grades_status_and_flush_with_nothing_queued(run: Callable[..., Result]) -> None:
    assert run("grades", "status").output.strip() == "pending: 0, sent: 0, failed: 0"
    assert "sent 0, failed 0" in run("grades", "flush").output


def test_cli_accounts_lifecycle(run: Callable[..., Result]) -> None:
    assert "no accounts yet" in run("accounts", "list").output
    added = run("accounts", "add", "anna", "--role", "admin", "--password", "una-password-lunga")
    assert added.exit_code == 0, added.output
    assert "anna" in run("accounts", "list").output
    short = run("accounts", "add", "bea", "--password", "corta")
    assert short.exit_code == 1
    assert "at least 12" in short.output
    assert "removed" in run("accounts", "remove", "anna").output


def test_cli_serve_on_a_taken_port_says_so_in_one_line(run: Callable[..., Result]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert f"port {port} is taken" in lines[0]
    assert "./scripts/run --port N" in lines[0]
