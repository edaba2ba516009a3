"""``opes-lti sites``: the LMS sites whose blocks may call the tool's API."""

from __future__ import annotations

from opes_lti.cli.tokens import token_commands
from opes_lti.sites.services import REGISTRY

command = token_commands(
    REGISTRY,
    "Register, list and revoke LMS sites whose blocks call the tool (TOOL_TOKEN in the LMS).",
)
