"""Platform registrations and deployments: the operators' CLI and admin page use these."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

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
    """Register a platform (issuer + client id) with its deployments."""
    if not spec.issuer or not spec.client_id:
        raise RegistrationError("issuer and client id are both required")
    for label, url in (
        ("login URL", spec.auth_login_url),
        ("token URL", spec.auth_token_url),
        ("JWKS URL", spec.key_set_url),
    ):
        _check_url(label, url)
    exists = db.scalar(
        sa.select(Platform.id).where(
            Platform.issuer == spec.issuer, Platform.client_id == spec.client_id
        )
    )
    if exists is not None:
        raise RegistrationError(
            f"issuer {spec.issuer} with client id {spec.client_id} is registered already"
        )
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


def remove_platform(db: Session, platform_id: int) -> Platform:
    """Forget a platform and its deployments."""
    platform = db.get(Platform, platform_id)
    if platform is None:
        raise RegistrationError(f"no platform with id {platform_id}")
    db.delete(platform)
    db.flush()
    forget_cached()
    return platform


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
_BY_ISSUER = sa.select(*_REF_COLUMNS).where(Platform.issuer == sa.bindparam("issuer")).limit(5)
_BY_CLIENT = _BY_ISSUER.where(Platform.client_id == sa.bindparam("client_id"))
_BY_ID = sa.select(*_REF_COLUMNS).where(Platform.id == sa.bindparam("id"))
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
    key = (str(db.get_bind().url), issuer, client_id or "")
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
    key = (str(db.get_bind().url), issuer, client_id, deployment_id)
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
    """One registration by id."""
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
    url = str(db.get_bind().url)
    cached = _origins_cache.get(url)
    return cached if cached is not None else _origins_cache.put(url, _read_origins(db))


def forget_cached() -> None:
    """Drop what this process cached (after a registration changes here)."""
    _origins_cache.clear()
    _login_cache.clear()
    _launch_cache.clear()


def _read_origins(db: Session) -> frozenset[str]:
    origins = set()
    for issuer, login in db.execute(sa.select(Platform.issuer, Platform.auth_login_url)):
        for url in (issuer, login):
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and parts.netloc:
                origins.add(f"{parts.scheme}://{parts.netloc}")
    return frozenset(origins)
