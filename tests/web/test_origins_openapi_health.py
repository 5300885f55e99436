"""Allowed origins with CORS preflights, the OpenAPI document, and the health check."""

from __future__ import annotations

import sqlite3

from tests.web.conftest import Tutor


def test_any_origin_is_accepted_when_none_are_configured(tutor: Tutor) -> None:
    response = tutor.create_session({}, Origin="https://anywhere.example")
    assert response.status_code == 201
    assert response.headers["access-control-allow-origin"] == "https://anywhere.example"


def test_other_origins_are_refused_and_preflights_answered(make_tutor) -> None:
    tutor: Tutor = make_tutor(allowed_origins=["https://book.example.com"])
    refused = tutor.create_session({}, Origin="https://evil.example")
    assert refused.status_code == 403
    assert refused.json()["details"][0]["code"] == "ORIGIN_NOT_ALLOWED"
    assert tutor.rows("SELECT * FROM sessions") == []
    allowed = tutor.create_session({}, Origin="https://book.example.com")
    assert allowed.status_code == 201
    preflight = tutor.http.options(
        "/session",
        headers={
            "Origin": "https://book.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, x-tutorgpt-context",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://book.example.com"
    allowed_headers = preflight.headers["access-control-allow-headers"]
    for header in ("authorization", "content-type", "x-tutorgpt-context"):
        assert header in allowed_headers


def test_openapi_documents_every_error_response(tutor: Tutor) -> None:
    document = tutor.http.get("/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    post = document["paths"]["/session"]["post"]
    assert set(post["responses"]) == {"201", "400", "401", "405", "413", "415", "429", "500", "503"}
    body_schema = document["components"]["schemas"]["SessionBody"]
    assert sorted(body_schema["properties"]["learning_level"]["anyOf"][0]["enum"]) == [
        "advanced", "beginner", "intermediate"
    ]
    assert "retry_after" in document["components"]["schemas"]["RateLimitedBody"]["properties"]


def test_health_reports_the_database(tutor: Tutor) -> None:
    assert tutor.http.get("/health").json() == {"status": "ok", "database": "ok"}
    sqlite3.connect(tutor.db_path).close()
