"""Settings from OPES_* variables, with embedded defaults and clear errors."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from opes_lti.core.settings import SettingsError, load_settings


def test_settings_embedded_defaults_need_nothing(tmp_path: Path) -> None:
    settings = load_settings({"OPES_INSTANCE_PATH": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'opes.db'}"
    assert settings.redis_url == ""
    assert settings.default_locale == "it"


def test_settings_secret_key_is_generated_once_and_private(tmp_path: Path) -> None:
    first = load_settings({"OPES_INSTANCE_PATH": str(tmp_path)}).secret_key
    second = load_settings({"OPES_INSTANCE_PATH": str(tmp_path)}).secret_key
    assert first == second
    assert len(first) >= 48
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_settings_never_show_secrets_in_repr(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "OPES_INSTANCE_PATH": str(tmp_path),
            "OPES_SECRET_KEY": "s3cr3t",
            "OPES_REPORTING_TOKEN": "opes_t0ken",
        }
    )
    assert "s3cr3t" not in repr(settings)
    assert "opes_t0ken" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("OPES_MAX_BATCH_ITEMS", "lots", "must be a whole number"),
        ("OPES_MAX_BATCH_ITEMS", "0", "must be at least 1"),
        ("OPES_PROXY_HOPS", "-1", "must be at least 0"),
        ("OPES_OUTBOX_LEASE_SECONDS", "soon", "must be a number"),
        ("OPES_SIGNIN_LOCK_SECONDS", "0", "must be positive"),
        ("OPES_DEFAULT_LOCALE", "fr", "must be 'it' or 'en'"),
    ],
)
def test_settings_bad_values_name_the_variable(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=f"{name}.*{message}|{message}"):
        load_settings({"OPES_INSTANCE_PATH": str(tmp_path), name: value})


def test_settings_base_distribution_needs_no_server_package() -> None:
    import tomllib

    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    names = {
        dep.split(">")[0].split("=")[0].split("[")[0].strip().lower()
        for dep in pyproject["project"]["dependencies"]
    }
    # The XBlocks install `opes-lti` into Open edX: no Flask, SQLAlchemy or gunicorn.
    # nh3 is there because the XBlocks sanitise rich text with the same core, filetype
    # because the group block serves files by the same rules (groups.filekinds).
    assert names == {"filetype", "nh3", "pydantic", "requests"}
