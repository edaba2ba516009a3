"""pylti1p3's ``ToolConfAbstract`` over the registrations table.

pylti1p3's service connectors (AGS, NRPS, Deep Linking) take their registration from here,
signed with the tool's current key.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy.orm import Session

from opes_lti.lti import keys
from opes_lti.lti.models import Deployment, Platform
from opes_lti.lti.registrations import PlatformRef


class DatabaseToolConf(ToolConfAbstract):
    """Registrations read from the database; several client ids per issuer."""

    def __init__(self, db: Session) -> None:
        self.db = db
        # Per instance, not the class-level dict pylti1p3 declares (shared by every conf).
        self.issuers_relation_types = {}

    def check_iss_has_one_client(self, iss: str) -> bool:
        """Never: every lookup goes by issuer and client id."""
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        """Always."""
        return True

    def _platform(self, iss: str, client_id: str | None) -> Platform | None:
        stmt = sa.select(Platform).where(Platform.issuer == iss, Platform.disabled_at.is_(None))
        if client_id:
            stmt = stmt.where(Platform.client_id == client_id)
        return self.db.scalars(stmt.limit(2)).first()

    def registration(self, platform: Platform | PlatformRef) -> Registration:
        """The pylti1p3 registration of a platform, with the tool's signing key."""
        key = keys.signing_key(self.db)
        return (
            Registration()
            .set_issuer(platform.issuer)
            .set_client_id(platform.client_id)
            .set_auth_login_url(platform.auth_login_url)
            .set_auth_token_url(platform.auth_token_url)
            .set_auth_audience(platform.auth_audience or platform.auth_token_url)
            .set_key_set_url(platform.key_set_url)
            .set_tool_private_key(key.private_pem)
            .set_tool_public_key(keys.public_pem(key))
        )

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        """The registration of an issuer with a single client id."""
        platform = self._platform(iss, None)
        return self.registration(platform) if platform else None  # type: ignore[return-value]

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Registration:
        """The registration of (issuer, client id)."""
        platform = self._platform(iss, client_id)
        return self.registration(platform) if platform else None  # type: ignore[return-value]

    def find_deployment(self, iss: str, deployment_id: str) -> LtiDeployment | None:
        """A deployment of any client of the issuer."""
        return self.find_deployment_by_params(iss, deployment_id, "")

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> LtiDeployment | None:
        """The deployment, if registered for (issuer, client id)."""
        stmt = (
            sa.select(Deployment.deployment_id)
            .join(Platform)
            .where(
                Platform.issuer == iss,
                Deployment.deployment_id == deployment_id,
                Platform.disabled_at.is_(None),
            )
        )
        if client_id:
            stmt = stmt.where(Platform.client_id == client_id)
        found = self.db.scalar(stmt.limit(1))
        return LtiDeployment().set_deployment_id(found) if found else None
