"""Dependencies point inward: the domain core imports no web framework, database or XBlock."""

from __future__ import annotations

import subprocess
import sys

DOMAIN_MODULES = [
    "opes_lti.competencies.gain",
    "opes_lti.events.domain",
    "opes_lti.events.xapi",
    "opes_lti.events.delivery",
    "opes_lti.regions",
    "opes_lti.demo",
]
SERVER_ONLY = ["flask", "sqlalchemy", "alembic", "werkzeug", "gunicorn", "xblock", "django"]


def test_architecture_domain_core_loads_without_server_packages() -> None:
    # A fresh interpreter, so nothing the test run imported earlier hides a dependency.
    code = (
        "import sys\n"
        f"for name in {DOMAIN_MODULES!r}: __import__(name)\n"
        f"print(sorted(m for m in {SERVER_ONLY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_architecture_import_contracts_hold() -> None:
    lint = [
        sys.executable,
        "-c",
        "from importlinter.cli import lint_imports_command; lint_imports_command(['--no-cache'])",
    ]
    result = subprocess.run(lint, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout
