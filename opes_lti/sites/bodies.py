"""Pieces of block calls' bodies that several activities take alike."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from pydantic import AfterValidator, Field

from opes_lti.groups.filekinds import MOST_BYTES

#: Base64 of a file one byte over the limit: such a file is refused by its size, in words.
ENCODED = 4 * ((MOST_BYTES + 1 + 2) // 3)


def _base64(value: str) -> str:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None
    return value


#: A file's bytes in base64, checked to be base64 (its content is checked by who stores it).
Base64File = Annotated[str, Field(max_length=ENCODED), AfterValidator(_base64)]


def decoded(data: str) -> bytes:
    """The bytes of a :data:`Base64File`."""
    return base64.b64decode(data)
