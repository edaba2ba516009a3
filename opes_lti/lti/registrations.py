"""Platform registrations and deployments: the operators' CLI and admin page use these."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.core import purges
from opes_lti.core.db import utcnow
from opes_lti.core.ttlcache import TtlCache
from opes_lti.lti.models import Deployment, Platform


class RegistrationError(ValueError):
    """A registration that cannot be made, with a message for the operator."""


@dataclass(frozen=True)
class PlatformSpec:
    """What an administrator enters (or dynamic registration learns) about a platform."""

    name: str
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    deployment_ids: tuple[str, ...] = ()
    auth_audience: str | None = None


def _check_url(label: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise RegistrationError(f"{label} must be an http(s) URL, got {url!r}")


def add_platform(db: Session, spec: PlatformSpec) -> Platform:
    """Register a platform (issuer + client id) with its deployments.

    The same issuer and client id as a removed (disabled) platform restores that one, with
    the URLs given now: its learners find their work where they left it.
    """
    if not spec.issuer or not spec.client_id:
        raise RegistrationError("issuer and client id are both required")
    for label, url in (
        ("login URL", spec.auth_login_url),
        ("token URL", spec.auth_token_url),
        ("JWKS URL", spec.key_set_url),
    ):
        _check_url(label, url)
    existing = db.scalar(
        sa.select(Platform).where(
            Platform.issuer == spec.issuer, Platform.client_id == spec.client_id
        )
    )
    if existing is not None and existing.disabled_at is None:
        raise RegistrationError(
            f"issuer {spec.issuer} with client id {spec.client_id} is registered already"
        )
    if existing is not None:
        return _restore(db, existing, spec)
    platform = Platform(
        name=spec.name or spec.issuer,
        issuer=spec.issuer,
        client_id=spec.client_id,
        auth_login_url=spec.auth_login_url,
        auth_token_url=spec.auth_token_url,
        key_set_url=spec.key_set_url,
        auth_audience=spec.auth_audience,
    )
    platform.deployments = [Deployment(deployment_id=d) for d in dict.fromkeys(spec.deployment_ids)]
    db.add(platform)
    db.flush()
    forget_cached()
    return platform


def add_deployment(db: Session, platform_id: int, deployment_id: str) -> Deployment:
    """Add a deployment id to a registered platform."""
    platform = db.get(Platform, platform_id)
    if platform is None:
        raise RegistrationError(f"no platform with id {platform_id}")
    if any(d.deployment_id == deployment_id for d in platform.deployments):
        raise RegistrationError(f"deployment {deployment_id} is registered already")
    deployment = Deployment(deployment_id=deployment_id)
    platform.deployments.append(deployment)
    db.flush()
    return deployment


def find_removed(db: Session, issuer: str, client_id: str) -> Platform | None:
    """The removed (disabled) registration of (issuer, client id), if there is one."""
    return db.scalar(
        sa.select(Platform).where(
            Platform.issuer == issuer,
            Platform.client_id == client_id,
            Platform.disabled_at.is_not(None),
        )
    )


def _restore(db: Session, platform: Platform, spec: PlatformSpec) -> Platform:
    platform.name = spec.name or platform.name
    platform.auth_login_url = spec.auth_login_url
    platform.auth_token_url = spec.auth_token_url
    platform.key_set_url = spec.key_set_url
    platform.auth_audience = spec.auth_audience
    platform.disabled_at = None
    known = {d.deployment_id for d in platform.deployments}
    platform.deployments += [
        Deployment(deployment_id=d) for d in dict.fromkeys(spec.deployment_ids) if d not in known
    ]
    db.flush()
    forget_cached()
    return platform


def _platform(db: Session, platform_id: int) -> Platform:
    platform = db.get(Platform, platform_id)
    if platform is None:
        raise RegistrationError(f"no platform with id {platform_id}")
    return platform


def remove_platform(db: Session, platform_id: int) -> Platform:
    """Refuse the platform's launches from now on, keeping every record of it.

    Nothing is deleted: learners' answers, launches and queued grades stay, and adding the
    same issuer and client id again restores them. :func:`purge_platform` deletes.
    """
    platform = _platform(db, platform_id)
    if platform.disabled_at is not None:
        raise RegistrationError(f"platform {platform_id} is removed already")
    platform.disabled_at = utcnow()
    db.flush()
    forget_cached()
    return platform


def _referring_tables(db: Session) -> list[tuple[str, str]]:
    """(table, column) of every table whose rows belong to a platform, read from the schema.

    Read from the database rather than from the models this process imported, so a purge
    counts and deletes the rows of every activity, including ones lti/ does not know.
    """
    inspector = sa.inspect(db.connection())
    return [
        (table, key["constrained_columns"][0])
        for table in sorted(inspector.get_table_names())
        for key in inspector.get_foreign_keys(table)
        if key["referred_table"] == Platform.__tablename__
    ]


def purge_plan(db: Session, platform_id: int) -> tuple[Platform, dict[str, int]]:
    """The removed platform and how many rows of each table a purge would delete."""
    platform, counts, _ = _purge_scope(db, platform_id)
    return platform, counts


def _purge_scope(
    db: Session, platform_id: int
) -> tuple[Platform, dict[str, int], list[tuple[str, str]]]:
    """The plan, with the (table, column) pairs it counted.

    A purge deletes from the very tables it reported, reading the schema once.
    """
    platform = _platform(db, platform_id)
    if platform.disabled_at is None:
        raise RegistrationError(
            f"platform {platform_id} is in use: remove it first ('opes-lti platforms remove "
            f"{platform_id}'), which keeps its records, then purge"
        )
    referring = _referring_tables(db)
    counts = {}
    for table, column in referring:
        where = sa.column(column) == platform_id
        counts[table] = (
            db.scalar(sa.select(sa.func.count()).select_from(sa.table(table)).where(where)) or 0
        )
    return platform, counts, referring


def purge_platform(db: Session, platform_id: int) -> purges.PurgeRecord:
    """Delete a removed platform and every row that belongs to it, and record it."""
    platform, counts, referring = _purge_scope(db, platform_id)
    for table, column in referring:
        db.execute(sa.delete(sa.table(table)).where(sa.column(column) == platform_id))
    subject = f"{platform.name}: {platform.issuer} / client id {platform.client_id}"
    db.execute(sa.delete(Platform).where(Platform.id == platform_id))
    db.expunge(platform)
    entry = purges.record(db, "platform", subject, counts | {Platform.__tablename__: 1})
    forget_cached()
    return entry


def list_platforms(db: Session) -> list[Platform]:
    """Every platform, oldest first."""
    return list(db.scalars(sa.select(Platform).order_by(Platform.id)))


@dataclass(frozen=True)
class PlatformRef:
    """What a launch needs of a registration, read without the ORM (it runs every launch)."""

    id: int
    name: str
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    auth_audience: str | None


_REF_COLUMNS = [getattr(Platform, f) for f in PlatformRef.__dataclass_fields__]
# Built once: constructing a statement costs more CPU than running it, on every launch.
# Removed (disabled) platforms are never found for a launch.
_BY_ISSUER = (
    sa.select(*_REF_COLUMNS)
    .where(Platform.issuer == sa.bindparam("issuer"), Platform.disabled_at.is_(None))
    .limit(5)
)
_BY_CLIENT = _BY_ISSUER.where(Platform.client_id == sa.bindparam("client_id"))
_BY_ID = sa.select(*_REF_COLUMNS).where(
    Platform.id == sa.bindparam("id"), Platform.disabled_at.is_(None)
)
_FOR_LAUNCH = _BY_CLIENT.add_columns(
    sa.exists()
    .where(
        Deployment.platform_id == Platform.id,
        Deployment.deployment_id == sa.bindparam("deployment_id"),
    )
    .label("deployed")
)


def platforms_for(db: Session, issuer: str, client_id: str | None = None) -> list[PlatformRef]:
    """The registrations of an issuer (one, when the client id is known)."""
    if client_id:
        rows = db.connection().execute(_BY_CLIENT, {"issuer": issuer, "client_id": client_id})
    else:
        rows = db.connection().execute(_BY_ISSUER, {"issuer": issuer})
    return [PlatformRef(*row) for row in rows]


#: Seconds a process reuses a registration found for a login.
LOGIN_TTL = 10.0
_login_cache: TtlCache[list[PlatformRef]] = TtlCache(LOGIN_TTL)


def for_login(db: Session, issuer: str, client_id: str | None) -> list[PlatformRef]:
    """:func:`platforms_for`, remembered briefly per process.

    A login only redirects with a fresh state; the launch that follows looks the
    registration up again, so a platform removed on another worker is refused there at
    once. Only found registrations are kept: a new one works on its first login.
    """
    key = (str(db.get_bind().engine.url), issuer, client_id or "")
    cached = _login_cache.get(key)
    if cached is not None:
        return cached
    found = platforms_for(db, issuer, client_id)
    return _login_cache.put(key, found) if found else found


_launch_cache: TtlCache[PlatformRef] = TtlCache(LOGIN_TTL)


def for_launch(
    db: Session, issuer: str, client_id: str, deployment_id: str, fresh: bool = False
) -> list[tuple[PlatformRef, bool]]:
    """Registrations of (issuer, client id), each saying if the deployment is registered.

    A registration found with its deployment is remembered per process for
    :data:`LOGIN_TTL` seconds, so it may be that old: the statement that records the
    launch (:data:`opes_lti.lti.launch.RECORD_IF_REGISTERED`) checks it again in the same
    round trip, and a platform or deployment removed on another worker is refused there.
    ``fresh`` skips the cache.
    """
    key = (str(db.get_bind().engine.url), issuer, client_id, deployment_id)
    cached = None if fresh else _launch_cache.get(key)
    if cached is not None:
        return [(cached, True)]
    rows = db.connection().execute(
        _FOR_LAUNCH, {"issuer": issuer, "client_id": client_id, "deployment_id": deployment_id}
    )
    found = [(PlatformRef(*row[:-1]), bool(row[-1])) for row in rows]
    if len(found) == 1 and found[0][1]:
        _launch_cache.put(key, found[0][0])
    return found


def platform_ref(db: Session, platform_id: int) -> PlatformRef | None:
    """One registration by id; None if it was removed (its open pages stop working too)."""
    row = db.connection().execute(_BY_ID, {"id": platform_id}).first()
    return PlatformRef(*row) if row else None


#: Seconds a process reuses the list of platform origins for frame-ancestors.
ORIGINS_TTL = 30.0
_origins_cache: TtlCache[frozenset[str]] = TtlCache(ORIGINS_TTL)


def platform_origins(db: Session) -> frozenset[str]:
    """Origins of every registered platform (issuer and login page), for frame-ancestors.

    Every LTI response carries them, so a process keeps them for :data:`ORIGINS_TTL`
    seconds: a platform registered on another worker may be framed a little later; a
    removed one keeps framing rights that long, but its launches are refused at once.
    """
    url = str(db.get_bind().engine.url)
    cached = _origins_cache.get(url)
    return cached if cached is not None else _origins_cache.put(url, _read_origins(db))


def forget_cached() -> None:
    """Drop what this process cached (after a registration changes here)."""
    _origins_cache.clear()
    _login_cache.clear()
    _launch_cache.clear()


def _read_origins(db: Session) -> frozenset[str]:
    origins = set()
    enabled = sa.select(Platform.issuer, Platform.auth_login_url).where(
        Platform.disabled_at.is_(None)
    )
    for issuer, login in db.execute(enabled):
        for url in (issuer, login):
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and parts.netloc:
                origins.add(f"{parts.scheme}://{parts.netloc}")
    return frozenset(origins)
