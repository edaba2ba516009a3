"""The tool's signing keys: generated and rotated in the database, published as a JWKS."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from sqlalchemy.orm import Session

from opes_lti.lti.models import ToolKey

#: Keys published: the signing one and the one before, so tokens signed just before a
#: rotation still verify while platforms refresh their cache.
PUBLISHED = 2


def _new_key() -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    jwk = JWK.from_pem(pem.encode("ascii"))
    public = json.loads(jwk.export_public())
    kid = jwk.thumbprint()
    public |= {"kid": kid, "alg": "RS256", "use": "sig"}
    return ToolKey(kid=kid, private_pem=pem, public_jwk=public)


def rotate(db: Session) -> ToolKey:
    """Add a new signing key; the previous one stays published."""
    key = _new_key()
    db.add(key)
    db.flush()
    return key


def _first_key(db: Session) -> ToolKey:
    # Committed at once, in a transaction of its own: a platform verifying what we are
    # about to sign fetches our JWKS from another worker, which must already see the key.
    with Session(db.get_bind(), expire_on_commit=False) as other, other.begin():
        return rotate(other)


def signing_key(db: Session) -> ToolKey:
    """The newest key, created on first use."""
    key = db.scalar(sa.select(ToolKey).order_by(ToolKey.id.desc()).limit(1))
    return key or _first_key(db)


def jwks(db: Session) -> dict[str, Any]:
    """The public keys platforms verify the tool's signatures with."""
    keys = db.scalars(sa.select(ToolKey).order_by(ToolKey.id.desc()).limit(PUBLISHED)).all()
    if not keys:
        keys = [_first_key(db)]
    return {"keys": [k.public_jwk for k in keys]}


def all_keys(db: Session) -> list[ToolKey]:
    """Every key, newest first."""
    return list(db.scalars(sa.select(ToolKey).order_by(ToolKey.id.desc())))


def public_pem(key: ToolKey) -> str:
    """The public half as PEM (pylti1p3's Registration wants it to derive the kid)."""
    return JWK(**key.public_jwk).export_to_pem().decode("ascii")
