"""Allowed origins with CORS preflights, the OpenAPI document, and the health check."""

from __future__ import annotations

import re
import sqlite3

from tests.support.servers import REPO
from tests.web.conftest import Tutor
from tutorgpt_asgi.chatkit.types import UNSUPPORTED_REQUEST_TYPES
from tutorgpt_asgi.web.openapi import PROTOCOL_ERROR_CODES


def test_any_origin_is_accepted_when_none_are_configured(tutor: Tutor) -> None:
    response = tutor.create_session({}, Origin="https://anywhere.example")
    assert response.status_code == 201
    assert response.headers["access-control-allow-origin"] == "*"  # bearer auth, no cookies


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
    assert preflight.status_code == 200
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
    checkpoint = sqlite3.connect(tutor.db_path)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page now lives in the file
    checkpoint.close()
    with tutor.db_path.open("r+b") as file:  # a damaged disk: the header is gone
        file.write(b"\0" * 100)
    unhealthy = tutor.http.get("/health")
    assert unhealthy.status_code == 503
    assert unhealthy.json() == {"status": "error", "database": "error"}


def test_openapi_documents_the_protocol_and_its_refusals(tutor: Tutor) -> None:
    document = tutor.http.get("/openapi.json").json()
    post = document["paths"]["/"]["post"]
    assert set(post["responses"]) == {"200", "400", "401", "403", "404", "405", "413", "500"}
    assert set(post["responses"]["200"]["content"]) == {"application/json", "text/event-stream"}
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ChatKitRequest"
    }
    readme = (REPO / "README.md").read_text()
    for request_type in UNSUPPORTED_REQUEST_TYPES:
        assert f"`{request_type}`" in post["description"] and f"`{request_type}`" in readme
    raised = set(re.findall(r'(?:invalid_request|ProtocolError|BodyRejected|ErrorDetail)\(\s*(?:\d+,\s*)?'
                            r'(?:"[^"]*",\s*)?"([A-Z][A-Z_]+)"', _protocol_sources()))
    documented = {code for codes in PROTOCOL_ERROR_CODES.values() for code in codes}
    session_only = {"UNSUPPORTED_MEDIA_TYPE"}  # the protocol reads any declared type as JSON
    assert raised - session_only <= documented, f"undocumented codes: {raised - documented}"
    for code in documented:
        assert code in post["description"] and f"`{code}`" in readme
    nul = document["components"]["schemas"]["SessionBody"]["properties"]["student_name"]["anyOf"][0]
    assert re.fullmatch(nul["pattern"], "Ada") and not re.search(nul["pattern"], "A\x00da")


def _protocol_sources() -> str:
    package = REPO / "tutorgpt_asgi"
    files = [*(package / "chatkit").glob("*.py"), package / "web" / "body.py", package / "web" / "auth.py",
             package / "web" / "middleware.py"]
    return "\n".join(path.read_text() for path in files)
