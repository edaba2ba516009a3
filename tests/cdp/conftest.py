"""The LTI harness: the tool and the Open edX platform that launches it."""

from tests.lti.conftest import platform, tool  # noqa: F401
