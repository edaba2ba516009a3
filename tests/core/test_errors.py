"""Error pages for people: their language, what to do, never a stack trace."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient


def test_errors_unknown_page_is_a_page_in_italian(client: FlaskClient) -> None:
    response = client.get("/non-esiste")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "Errore 404" in text
    assert "Controllate l&#39;indirizzo" in text  # a translation is text, escaped


def test_errors_speak_english_when_asked(client: FlaskClient) -> None:
    text = client.get("/nope", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Error 404" in text
    assert "Check the address" in text


def test_errors_own_reasons_are_translated(client: FlaskClient) -> None:
    response = client.post("/placeholder/complete", data={"token": "scaduto"})
    assert response.status_code == 403
    assert "Questa pagina è scaduta" in response.get_data(as_text=True)


def test_errors_unexpected_failure_shows_no_trace(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> str:
        raise RuntimeError("secret internals")

    app.add_url_rule("/broken", "broken", broken)
    response = client.get("/broken", headers={"Accept-Language": "en"})
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in text
    assert "secret internals" not in text
    assert "Traceback" not in text
    assert "secret internals" in caplog.text  # the operators still see it in the log


def test_errors_api_paths_still_answer_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
