"""``opes-lti sources``: who may post events to the reporting service."""

from __future__ import annotations

from opes_lti.cli.tokens import token_commands
from opes_lti.reporting.sources import REGISTRY

command = token_commands(
    REGISTRY, "Register, list and revoke reporting sources (ingestion tokens)."
)
