"""A database that fails mid-request: the 500 body, nothing partial stored, nothing leaked."""

from __future__ import annotations

import logging
import socket
import sqlite3
from urllib.parse import urlsplit

import pytest

from tests.web.conftest import Tutor


def _break_session_inserts(tutor: Tutor) -> None:
    """A trigger makes the SECOND write of session creation fail, after the student row."""
    connection = sqlite3.connect(tutor.db_path)
    connection.execute(
        "CREATE TRIGGER refuse_sessions BEFORE INSERT ON sessions "
        "BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
    )
    connection.commit()
    connection.close()


def test_failure_mid_request_returns_500_and_stores_nothing(
    tutor: Tutor, caplog: pytest.LogCaptureFixture
) -> None:
    before = tutor.create_session({"student_email": "kept@example.com"})
    assert before.status_code == 201
    _break_session_inserts(tutor)
    with caplog.at_level(logging.ERROR):
        response = tutor.create_session({"student_email": "new.student@example.com"})
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "Failed to create session"
    assert body["details"] == [
        {"code": "SESSION_CREATION_FAILED", "message": "Could not create ChatKit session. Please try again."}
    ]
    assert body["request_id"] == response.headers["x-request-id"]
    emails = {row["email"] for row in tutor.rows("SELECT email FROM students")}
    assert emails == {"kept@example.com"}  # the new student's row was rolled back with it
    assert len(tutor.rows("SELECT id FROM sessions")) == 1
    logged = caplog.text
    assert body["request_id"] in logged
    assert "new.student@example.com" not in logged and "sk_chatkit_" not in logged


def test_the_service_recovers_after_the_failure(tutor: Tutor) -> None:
    _break_session_inserts(tutor)
    assert tutor.create_session({}).status_code == 500
    connection = sqlite3.connect(tutor.db_path)
    connection.execute("DROP TRIGGER refuse_sessions")
    connection.commit()
    connection.close()
    assert tutor.create_session({}).status_code == 201


def test_an_unexpected_failure_anywhere_gets_the_error_body(tutor: Tutor) -> None:
    secret = tutor.create_session({}).json()["client_secret"]
    tutor.execute("DROP TABLE visits")  # GET /sessions still works; the protocol's location write fails
    response = tutor.http.post(
        "/",
        json={"type": "threads.list", "params": {}},
        headers={"Authorization": f"Bearer {secret}", "X-TutorGPT-Context": "eyJwYWdlX3BhdGgiOiIveCJ9"},
    )
    assert response.status_code == 500
    body = response.json()
    assert body["details"][0]["code"] == "INTERNAL_ERROR"
    assert body["request_id"] == response.headers["x-request-id"]


def test_a_client_that_hangs_up_mid_body_logs_no_traceback(
    tutor: Tutor, caplog: pytest.LogCaptureFixture
) -> None:
    address = urlsplit(tutor.base_url)
    with caplog.at_level(logging.ERROR), socket.create_connection((address.hostname, address.port)) as sock:
        sock.sendall(
            b"POST /session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{\"student_name\": \"half"
        )
    assert tutor.create_session({}).status_code == 201  # and the server is fine afterwards
    assert "Traceback" not in caplog.text and "Exception in ASGI application" not in caplog.text


def test_deep_nesting_is_a_400_not_a_500(tutor: Tutor) -> None:
    """~976 levels in 2 KB used to raise RecursionError inside the parser (a 500 and a traceback)."""
    deep = b'{"page_path": ' + b"[" * 976 + b"]" * 976 + b"}"
    response = tutor.http.post("/session", content=deep, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["code"] == "INVALID_JSON"
    # The connection stays usable: keep-alive follow-ups are answered normally.
    assert [tutor.create_session({}).status_code for _ in range(3)] == [201, 201, 201]
    assert tutor.rows("SELECT COUNT(*) FROM sessions")[0][0] == 3


def test_nesting_up_to_the_limit_is_parsed_normally(tutor: Tutor) -> None:
    shallow = b'{"page_path": ' + b"[" * 60 + b"]" * 60 + b', "note": "' + b"[" * 500 + b'"}'
    response = tutor.http.post("/session", content=shallow, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["details"][0]["code"] == "INVALID_FIELD_TYPE"  # parsed; the field is wrong


@pytest.mark.parametrize("body", [b"\x0c", b"   ", b"\n"])
def test_a_whitespace_body_is_invalid_json_not_empty(tutor: Tutor, body: bytes) -> None:
    response = tutor.http.post("/session", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["code"] == "INVALID_JSON"
    assert tutor.http.post("/session", content=b"").status_code == 201  # truly empty is {}


def test_405_lists_every_method_the_path_serves(tutor: Tutor) -> None:
    response = tutor.http.put("/session")
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"DELETE", "POST"}
    assert response.json()["details"][0]["code"] == "METHOD_NOT_ALLOWED"
    assert tutor.http.post("/health").headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("allowed", [[], ["https://book.example.com"]])
def test_a_500_carries_the_cors_headers(make_tutor, allowed: list[str]) -> None:
    """Without them the browser cannot read the 500's body or its request_id."""
    tutor: Tutor = make_tutor(allowed_origins=allowed)
    secret = tutor.create_session({}).json()["client_secret"]
    tutor.execute("DROP TABLE visits")
    response = tutor.http.post(
        "/",
        json={"type": "threads.list", "params": {}},
        headers={"Authorization": f"Bearer {secret}", "X-TutorGPT-Context": "eyJwYWdlX3BhdGgiOiIveCJ9",
                 "Origin": "https://book.example.com"},
    )
    assert response.status_code == 500
    assert response.headers["access-control-allow-origin"] in ("*", "https://book.example.com")
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()
    assert response.json()["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize("field", ["student_name", "page_path", "highlighted_text"])
def test_nul_in_text_is_refused_as_the_schema_says(tutor: Tutor, field: str) -> None:
    value = "/a\x00b" if field == "page_path" else "a\x00b"
    response = tutor.create_session({field: value})
    assert response.status_code == 400
    assert response.json()["details"] == [
        {"code": "INVALID_CHARACTERS", "message": f"{field} must not contain NUL", "field": field}
    ]
