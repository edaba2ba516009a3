"""LTI tables: platforms and deployments, the tool's keys, launch state and launches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opes_lti.core.db import Base, JSONType, UTCDateTime, utcnow


class Platform(Base):
    """An LMS registration: one issuer and one client id (an issuer may have several)."""

    __tablename__ = "lti_platforms"
    __table_args__ = (sa.UniqueConstraint("issuer", "client_id", name="issuer_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A name for people ("Moodle Puglia").
    name: Mapped[str] = mapped_column(sa.String(200))
    issuer: Mapped[str] = mapped_column(sa.String(500))
    client_id: Mapped[str] = mapped_column(sa.String(500))
    #: OIDC authorization endpoint, where the login redirects.
    auth_login_url: Mapped[str] = mapped_column(sa.String(1000))
    #: OAuth2 token endpoint, for AGS and NRPS.
    auth_token_url: Mapped[str] = mapped_column(sa.String(1000))
    #: The platform's JWKS.
    key_set_url: Mapped[str] = mapped_column(sa.String(1000))
    #: Audience of the client assertion when it differs from the token URL.
    auth_audience: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set by ``platforms remove``: launches are refused, every record of it is kept, and
    #: registering the same issuer and client id again clears it.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", lazy="selectin"
    )


class Deployment(Base):
    """A deployment of the tool on a platform (one per course, site or tenant)."""

    __tablename__ = "lti_deployments"
    __table_args__ = (sa.UniqueConstraint("platform_id", "deployment_id", name="per_platform"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(sa.String(500))
    platform: Mapped[Platform] = relationship(back_populates="deployments")


class ToolKey(Base):
    """One of the tool's RSA signing keys; the newest signs, the previous stays published."""

    __tablename__ = "lti_tool_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: RFC 7638 thumbprint of the public key.
    kid: Mapped[str] = mapped_column(sa.String(100), unique=True)
    #: PEM; read only to sign, never rendered or logged.
    private_pem: Mapped[str] = mapped_column(sa.Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:  # keep the private key out of any log line
        return f"ToolKey(kid={self.kid!r})"


class LaunchValue(Base):
    """Short-lived launch state (OIDC state, nonces) when Redis is not configured."""

    __tablename__ = "lti_launch_values"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LaunchRecord(Base):
    """A launch that passed every check: who, where, what."""

    __tablename__ = "lti_launches"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True
    )
    deployment_id: Mapped[str] = mapped_column(sa.String(500))
    #: sha256(issuer, sub): the learner, pseudonymous.
    user: Mapped[str] = mapped_column(sa.String(64), index=True)
    context_id: Mapped[str | None] = mapped_column(sa.String(500))
    resource_link_id: Mapped[str | None] = mapped_column(sa.String(500))
    message_type: Mapped[str] = mapped_column(sa.String(64))
    roles: Mapped[list[str]] = mapped_column(JSONType)
    locale: Mapped[str] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlacementColumns:
    """The columns of a row kept per learner in one placed activity (a resource link).

    An activity's model mixes this in, so every activity keys its rows the same way and
    a platform purge finds them through the foreign key.
    """

    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(sa.String(500))
    resource_link_id: Mapped[str] = mapped_column(sa.String(500))
    #: The pseudonymous learner.
    user: Mapped[str] = mapped_column(sa.String(64))
