"""A NUL anywhere in a form or query is a 400 before any view runs, on every route."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def _post_routes(app: Flask) -> list[str]:
    return sorted(
        r.rule
        for r in app.url_map.iter_rules()
        if "POST" in (r.methods or ()) and "<" not in r.rule and not r.rule.startswith("/api/")
    )


def test_a_nul_in_any_field_of_any_form_is_refused_plainly(app: Flask, client: FlaskClient) -> None:
    routes = _post_routes(app)
    assert len(routes) > 30

    @settings(max_examples=80, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
    @given(
        route=st.sampled_from(routes),
        name=st.text(max_size=8),
        value=st.text(max_size=8),
        at=st.integers(0, 8),
        in_query=st.booleans(),
    )
    def one(route: str, name: str, value: str, at: int, in_query: bool) -> None:
        poisoned = value[:at] + "\x00" + value[at:]
        field = {name or "x": poisoned}
        response = (
            client.post(route, query_string=field) if in_query else client.post(route, data=field)
        )
        assert response.status_code == 400, (route, field, response.status_code)
        assert "NUL" in response.get_data(as_text=True)

    one()


def test_text_without_nul_reaches_the_view(client: FlaskClient) -> None:
    response = client.post("/login", data={"username": "a\tb", "password": "x"})
    assert response.status_code != 500
    assert "NUL" not in response.get_data(as_text=True)
