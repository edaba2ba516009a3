"""The sites table: one row per LMS allowed to call the tool's API for blocks."""

from __future__ import annotations

from sqlalchemy.orm import Mapped, mapped_column

from opes_lti.core.db import Base
from opes_lti.core.tokens import TokenColumns


class Site(TokenColumns, Base):
    """An Open edX site (its LMS and Studio) and the hash of its token."""

    __tablename__ = "tool_sites"

    id: Mapped[int] = mapped_column(primary_key=True)
