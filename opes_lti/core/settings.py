"""Settings read from ``OPES_*`` environment variables, with embedded defaults.

Nothing here is read at import time: :func:`load_settings` is called by whoever composes
an application, so tests can build as many differently configured apps as they like.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

PREFIX = "OPES_"


class SettingsError(ValueError):
    """A setting has a value the service cannot start with."""


@dataclass(frozen=True)
class Settings:
    """Everything a service needs to start. Secrets are excluded from ``repr``."""

    #: Folder for the embedded SQLite database and the generated secret key.
    instance_path: Path
    #: SQLAlchemy URL; defaults to SQLite in the instance folder.
    database_url: str
    #: Flask secret key (sessions, CSRF); generated and persisted on first run.
    secret_key: str = field(repr=False)
    #: Redis URL for LTI launch state; empty means the database keeps it.
    redis_url: str = ""
    #: Public base URL, as browsers and platforms reach this service.
    base_url: str = "http://127.0.0.1:5000"
    #: Where this instance sends its outcome events; empty means "to myself" (embedded).
    reporting_url: str = ""
    #: Where the reporting service finds the tool whose course launches open the
    #: dashboard (its published keys check the instructors' tokens); empty: this instance.
    tool_url: str = ""
    #: Bearer token of this instance's reporting source.
    reporting_token: str = field(default="", repr=False)
    #: The source name the reporting service registered this sender under.
    source_name: str = "embedded"
    #: Largest number of events accepted in one ingestion request.
    max_batch_items: int = 1000
    #: Largest ingestion request body, in bytes.
    max_body_bytes: int = 8 * 1024 * 1024
    #: Events the dispatcher sends in one request.
    outbox_batch_size: int = 200
    #: Seconds a claimed batch stays reserved for its dispatcher before others may take it.
    outbox_lease_seconds: float = 60.0
    #: Seconds the dispatcher waits for the reporting service to answer.
    outbox_timeout_seconds: float = 10.0
    #: Upper bound of the backoff between attempts, in seconds.
    outbox_max_backoff_seconds: float = 300.0
    #: Language used when a request says none.
    default_locale: str = "it"
    #: The demo course (a real LTI platform to try activities): "on", "off", or "auto":
    #: only for the embedded default on a loopback base URL.
    demo_course: str = "auto"
    #: Seconds of the first sign-in lock (after five failures); each failure doubles it.
    signin_lock_seconds: float = 30.0
    #: The dashboard shows no figure about fewer than this many learners (k-anonymity).
    suppress_below: int = 5
    #: Regions the programme means to reach, for the overview's "regions reached".
    region_target: int = 12
    #: Whether outbound requests may reach loopback addresses over http: "on", "off", or
    #: "auto" (only when the base URL itself is loopback: the embedded default, tests).
    outbound_loopback: str = "auto"
    #: Reverse proxies in front of the app that set X-Forwarded-For and -Proto: 0 when
    #: clients connect directly. The sign-in throttle counts per client address, so behind
    #: a proxy this must be set or every client shares the proxy's address.
    proxy_hops: int = 0
    #: Where group work's files are kept, outside the database (a folder; empty: the
    #: instance folder's ``files``).
    files_path: str = ""

    @property
    def files_folder(self) -> Path:
        """The folder of group work's files."""
        return Path(self.files_path) if self.files_path else self.instance_path / "files"

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some values changed (tests and the CLI use it)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{PREFIX}{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise SettingsError(f"{PREFIX}{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{PREFIX}{name} must be a number, got {raw!r}") from exc
    if value <= 0:
        raise SettingsError(f"{PREFIX}{name} must be positive, got {value}")
    return value


def persistent_secret(instance_path: Path) -> str:
    """Read the instance's secret key, creating it (mode 0600) on first run."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    # O_EXCL: when two processes start together, one writes and the other reads its key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from the environment (``os.environ`` by default)."""
    env = os.environ if env is None else env
    instance_path = Path(env.get(PREFIX + "INSTANCE_PATH") or Path.cwd() / "instance").resolve()
    database_url = env.get(PREFIX + "DATABASE_URL") or f"sqlite:///{instance_path / 'opes.db'}"
    secret_key = env.get(PREFIX + "SECRET_KEY") or persistent_secret(instance_path)
    locale = env.get(PREFIX + "DEFAULT_LOCALE", "it")
    if locale not in ("it", "en"):
        raise SettingsError(f"{PREFIX}DEFAULT_LOCALE must be 'it' or 'en', got {locale!r}")
    demo_course = (env.get(PREFIX + "DEMO_COURSE") or "auto").lower()
    if demo_course not in ("on", "off", "auto"):
        raise SettingsError(f"{PREFIX}DEMO_COURSE must be on, off or auto, got {demo_course!r}")
    outbound_loopback = (env.get(PREFIX + "OUTBOUND_LOOPBACK") or "auto").lower()
    if outbound_loopback not in ("on", "off", "auto"):
        raise SettingsError(
            f"{PREFIX}OUTBOUND_LOOPBACK must be on, off or auto, got {outbound_loopback!r}"
        )
    return Settings(
        instance_path=instance_path,
        database_url=database_url,
        secret_key=secret_key,
        redis_url=env.get(PREFIX + "REDIS_URL", ""),
        base_url=(env.get(PREFIX + "BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        reporting_url=(env.get(PREFIX + "REPORTING_URL") or "").rstrip("/"),
        tool_url=(env.get(PREFIX + "TOOL_URL") or "").rstrip("/"),
        reporting_token=env.get(PREFIX + "REPORTING_TOKEN", ""),
        source_name=env.get(PREFIX + "SOURCE_NAME") or "embedded",
        max_batch_items=_int(env, "MAX_BATCH_ITEMS", 1000),
        max_body_bytes=_int(env, "MAX_BODY_BYTES", 8 * 1024 * 1024),
        outbox_batch_size=_int(env, "OUTBOX_BATCH_SIZE", 200),
        outbox_lease_seconds=_float(env, "OUTBOX_LEASE_SECONDS", 60.0),
        outbox_timeout_seconds=_float(env, "OUTBOX_TIMEOUT_SECONDS", 10.0),
        outbox_max_backoff_seconds=_float(env, "OUTBOX_MAX_BACKOFF_SECONDS", 300.0),
        default_locale=locale,
        demo_course=demo_course,
        signin_lock_seconds=_float(env, "SIGNIN_LOCK_SECONDS", 30.0),
        outbound_loopback=outbound_loopback,
        proxy_hops=_int(env, "PROXY_HOPS", 0, minimum=0),
        suppress_below=_int(env, "SUPPRESS_BELOW", 5, minimum=2),
        region_target=_int(env, "REGION_TARGET", 12),
        files_path=env.get(PREFIX + "FILES_PATH", ""),
    )
