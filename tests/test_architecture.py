"""Dependencies point inward, and the import contracts catch a module that breaks the rule.

The lists are the import-linter contracts in pyproject.toml, read here, so the test and
the contracts cannot disagree.
"""

from __future__ import annotations

import os
import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _contracts() -> dict[str, dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _modules(names: list[str]) -> list[str]:
    """Every module of the named packages and modules (packages walked, as the linter does)."""
    found = []
    for name in names:
        module = __import__(name, fromlist=["_"])
        found.append(name)
        if hasattr(module, "__path__"):
            found += [m.name for m in pkgutil.walk_packages(module.__path__, name + ".")]
    return found


def test_the_pure_core_loads_without_any_forbidden_package() -> None:
    contract = _contracts()["pure-core"]
    modules = _modules(contract["source_modules"])
    outside = sorted({m.split(".")[0] for m in contract["forbidden_modules"]} - {"opes_lti"})
    # A fresh interpreter, so nothing the test run imported earlier hides a dependency.
    code = (
        "import sys\n"
        f"for name in {modules!r}: __import__(name)\n"
        f"print(sorted(m for m in {outside!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONPATH": f"{root}{os.pathsep}{root / 'xblocks'}"}
    code = "from importlinter.cli import lint_imports_command; lint_imports_command(['--no-cache'])"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, env=env
    )


def test_the_import_contracts_hold() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("KEPT") == len(_contracts())


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sources the linter reads, to add offending modules to."""
    root = tmp_path_factory.mktemp("tree")
    ignore = shutil.ignore_patterns("*.mo", "*.po", "*.pot", "static", "templates", "__pycache__")
    shutil.copytree(ROOT / "opes_lti", root / "opes_lti", ignore=ignore)
    shutil.copytree(
        ROOT / "xblocks" / "opes_xblocks", root / "xblocks" / "opes_xblocks", ignore=ignore
    )
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.mark.parametrize(
    ("where", "imports", "broken"),
    [
        ("opes_lti/competencies/newmodule.py", "import flask", "pure-core"),
        ("opes_lti/competencies/newmodule.py", "import opes_lti.core.db", "pure-core"),
        ("opes_lti/events/domain2.py", "import sqlalchemy", None),  # not in the pure list
        ("opes_lti/lti/newmodule.py", "import opes_lti.selfassessment.views", "layers"),
        ("opes_lti/selfassessment/newmodule.py", "import opes_lti.placeholder.views", "layers"),
        ("opes_lti/core/newmodule.py", "import opes_lti.lti.launch", "layers"),
        (
            "opes_lti/competencies/newmodule.py",
            "import opes_lti.framework_library.services",
            "layers",
        ),
        ("xblocks/opes_xblocks/newblock.py", "import flask", "xblocks"),
        ("xblocks/opes_xblocks/compat2.py", "import opes_lti.lti.launch", "xblocks"),
        ("xblocks/opes_xblocks/compat.py", "import opes_xblocks.base", "xblock-layers"),
    ],
)
def test_a_new_module_that_breaks_a_rule_fails_the_check(
    scratch: Path, where: str, imports: str, broken: str | None
) -> None:
    path = scratch / where
    before = path.read_text(encoding="utf-8") if path.exists() else None
    path.write_text((before or '"""A module added by the test."""\n') + imports + "\n")
    try:
        result = _lint(scratch)
    finally:
        if before is None:
            path.unlink()
        else:
            path.write_text(before, encoding="utf-8")
    if broken is None:
        assert result.returncode == 0, result.stdout
    else:
        assert result.returncode != 0
        said = " ".join(result.stdout.split())  # the linter wraps long names
        assert f"{_contracts()[broken]['name']} BROKEN" in said, result.stdout


def test_a_run_without_postgresql_says_so_in_its_summary() -> None:
    env = os.environ | {"OPES_TEST_POSTGRES_URL": "off"}
    one = [str(ROOT / "tests" / "test_i18n.py"), "-k", "compiled"]  # any quick test
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *one],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PostgreSQL turned off" in result.stdout


#: CLI modules tested under another module's name: both registries share ``cli/tokens.py``.
CLI_TESTED_AS = {"sources": "tokens", "sites": "tokens", "context": "main", "__init__": "main"}


def test_every_cli_module_has_a_test_module_of_its_own() -> None:
    modules = sorted(p.stem for p in (ROOT / "opes_lti" / "cli").glob("*.py"))
    missing = [
        m
        for m in modules
        if not (ROOT / "tests" / "cli" / f"test_{CLI_TESTED_AS.get(m, m)}.py").is_file()
    ]
    assert missing == [], f"no tests/cli/test_<module>.py for: {missing}"
