"""The tool and an Open edX platform, as in the LTI tests."""

from tests.lti.conftest import platform, tool  # noqa: F401
