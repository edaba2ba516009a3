"""Generated calls to the tool's API for blocks: every answer is documented, none a 500."""

from __future__ import annotations

from typing import Any


def every_generated_call_is_documented(app: Any, token: str, path: str) -> None:
    """Schemathesis's cases for ``POST path`` with the site ``token``: no 500, no surprise.

    Rules beyond a schema (settings, a rubric, what exists) make a documented 400, 404 or
    409 the right answer to a body that only looks valid, so data acceptance is not asked.
    """
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    schema = schemathesis.openapi.from_wsgi("/api/v1/blocks/openapi.json", app)
    operation = schema[path]["POST"]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case: Any) -> None:
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            excluded_checks=[positive_data_acceptance],
        )
        assert response.status_code < 500

    run()
