"""``POST /session`` against the contract: its eight test cases, every error code, the details."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.web.conftest import Tutor

FULL_BODY = {
    "page_path": "/docs/chapter-04/lesson-01-intro",
    "page_title": "Introduction to Python",
    "current_chapter": "04-python",
    "current_lesson": "01-intro",
    "highlighted_text": "async def main():",
    "student_email": "jane@example.com",
    "student_name": "Jane Doe",
    "learning_level": "intermediate",
}
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def codes(response: httpx.Response) -> list[str]:
    return [detail["code"] for detail in response.json()["details"]]


def assert_error_body(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"error", "details", "timestamp", "request_id"}
    assert ISO_Z.match(body["timestamp"])
    assert body["request_id"] == response.headers["x-request-id"]
    return body


# The contract's test cases -------------------------------------------------------------------


def test_success_with_all_fields(tutor: Tutor) -> None:
    response = tutor.create_session(FULL_BODY)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"client_secret", "session_id", "expires_at", "student_key"}
    assert re.fullmatch(r"sk_chatkit_[A-Za-z0-9_-]{43,}", body["client_secret"])
    assert re.fullmatch(r"sk_student_[A-Za-z0-9_-]{43}", body["student_key"])  # 256 random bits
    assert re.fullmatch(r"sess_[0-9a-f]{36}", body["session_id"])
    expires = datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert timedelta(minutes=29) < expires - datetime.now(UTC) <= timedelta(minutes=30, seconds=1)
    [row] = tutor.rows("SELECT * FROM sessions")
    assert row["current_chapter"] == "04-python" and row["current_lesson"] == "01-intro"
    assert row["page_path"] == FULL_BODY["page_path"] and row["highlighted_text"] == "async def main():"


def test_minimal_request_is_an_anonymous_student(tutor: Tutor) -> None:
    response = tutor.create_session({})
    assert response.status_code == 201
    [student] = tutor.rows("SELECT * FROM students")
    assert student["email"] is None and student["learning_level"] == "beginner"
    empty_body = tutor.http.post("/session", content=b"")
    assert empty_body.status_code == 201


def test_invalid_email(tutor: Tutor) -> None:
    for email in ["not-an-email", "a@b", "jane@@example.com", "jane example@x.com", ""]:
        response = tutor.create_session({"student_email": email})
        body = assert_error_body(response, 400)
        assert body["error"] == "Invalid request"
        assert body["details"] == [
            {"code": "INVALID_EMAIL", "message": "Invalid email format", "field": "student_email"}
        ]


def test_invalid_learning_level(tutor: Tutor) -> None:
    response = tutor.create_session({"learning_level": "expert"})
    assert_error_body(response, 400)
    assert codes(response) == ["INVALID_LEARNING_LEVEL"]


def test_rate_limit_eleventh_request_from_one_ip(make_tutor) -> None:
    tutor = make_tutor(trusted_proxies=["127.0.0.1"])
    for _ in range(10):
        assert tutor.create_session({}, **{"X-Forwarded-For": "203.0.113.7"}).status_code == 201
    refused = tutor.create_session({}, **{"X-Forwarded-For": "203.0.113.7"})
    body = assert_error_body(refused, 429)
    assert codes(refused) == ["RATE_LIMIT_EXCEEDED"]
    assert 1 <= body["retry_after"] <= 60
    assert refused.headers["retry-after"] == str(body["retry_after"])
    assert f"Try again in {body['retry_after']} seconds" in body["details"][0]["message"]
    other_ip = tutor.create_session({}, **{"X-Forwarded-For": "198.51.100.1"})
    assert other_ip.status_code == 201


def test_long_highlighted_text_counts_characters_not_bytes(tutor: Tutor) -> None:
    assert tutor.create_session({"highlighted_text": "é" * 1000}).status_code == 201
    response = tutor.create_session({"highlighted_text": "é" * 1001})
    assert_error_body(response, 400)
    assert codes(response) == ["HIGHLIGHTED_TEXT_TOO_LONG"]


def _jane_found_again(tutor: Tutor, first: httpx.Response, again: httpx.Response) -> Any:
    """Both sessions went to one student, Jane: her name kept (not given the second time), her
    level updated (given). Returns her row."""
    assert first.status_code == again.status_code == 201
    [student] = tutor.rows("SELECT * FROM students")
    assert student["email"] == "jane@example.com"
    assert student["name"] == "Jane"
    assert student["learning_level"] == "advanced"
    sessions = tutor.rows("SELECT student_id FROM sessions")
    assert len(sessions) == 2 and {row["student_id"] for row in sessions} == {student["id"]}
    return student


def test_existing_student_is_found_by_their_key_never_by_a_claimed_email(tutor: Tutor) -> None:
    first = tutor.create_session({"student_email": "Jane@Example.com", "student_name": "Jane"})
    again = tutor.create_session({"student_key": first.json()["student_key"], "learning_level": "advanced"})
    assert "student_key" not in again.json()  # shown once, when the student was created
    student = _jane_found_again(tutor, first, again)

    claimed = tutor.create_session({"student_email": "  jane@example.COM ", "student_name": "Mallory"})
    assert claimed.status_code == 201 and claimed.json()["student_key"] != first.json()["student_key"]
    assert len(tutor.rows("SELECT * FROM students")) == 2
    assert tutor.rows("SELECT name FROM students WHERE id = ?", (student["id"],))[0]["name"] == "Jane"


def test_trust_claimed_email_opt_in_finds_the_student_by_normalised_email(make_tutor) -> None:
    tutor = make_tutor(trust_claimed_email=True)
    first = tutor.create_session({"student_email": "Jane@Example.com", "student_name": "Jane"})
    again = tutor.create_session(
        {"student_email": "  jane@example.COM ", "learning_level": "advanced"}
    )
    _jane_found_again(tutor, first, again)


def test_new_student_per_new_email(tutor: Tutor) -> None:
    tutor.create_session({"student_email": "a@example.com"})
    tutor.create_session({"student_email": "b@example.com"})
    assert len(tutor.rows("SELECT * FROM students")) == 2


# Every error code ----------------------------------------------------------------------------


def test_every_invalid_field_is_reported_at_once(tutor: Tutor) -> None:
    response = tutor.create_session(
        {
            "page_path": "docs/no-slash",
            "student_email": "nope",
            "learning_level": 3,
            "student_name": ["x"],
            "highlighted_text": "x" * 1001,
            "page_title": "t" * 501,
            "unknown_field": "ignored",
        }
    )
    assert_error_body(response, 400)
    by_field = {detail["field"]: detail["code"] for detail in response.json()["details"]}
    assert by_field == {
        "page_path": "INVALID_PAGE_PATH",
        "student_email": "INVALID_EMAIL",
        "learning_level": "INVALID_FIELD_TYPE",
        "student_name": "INVALID_FIELD_TYPE",
        "highlighted_text": "HIGHLIGHTED_TEXT_TOO_LONG",
        "page_title": "FIELD_TOO_LONG",
    }
    assert all(detail["message"] for detail in response.json()["details"])
    assert tutor.rows("SELECT * FROM sessions") == []


def test_unknown_fields_and_nulls_are_accepted(tutor: Tutor) -> None:
    response = tutor.create_session({"student_email": None, "surprise": {"nested": True}})
    assert response.status_code == 201


@pytest.mark.parametrize("body", [b"[1, 2]", b"{not json", b'"text"', b"null", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object(tutor: Tutor, body: bytes) -> None:
    response = tutor.http.post("/session", content=body, headers={"Content-Type": "application/json"})
    assert_error_body(response, 400)
    assert codes(response) == ["INVALID_JSON"]


def test_non_json_content_type_is_415(tutor: Tutor) -> None:
    response = tutor.http.post("/session", data={"student_email": "a@b.co"})
    assert_error_body(response, 415)
    assert codes(response) == ["UNSUPPORTED_MEDIA_TYPE"]


def test_body_over_64_kib_is_413_declared_or_streamed(tutor: Tutor) -> None:
    big = b'{"page_title": "' + b"x" * (64 * 1024) + b'"}'
    declared = tutor.http.post("/session", content=big, headers={"Content-Type": "application/json"})
    assert_error_body(declared, 413)

    def chunks():
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    streamed = tutor.http.post("/session", content=chunks(), headers={"Content-Type": "application/json"})
    assert_error_body(streamed, 413)
    assert codes(streamed) == ["PAYLOAD_TOO_LARGE"]


def test_other_methods_are_405_with_the_error_body(tutor: Tutor) -> None:
    for method in ("GET", "PUT", "PATCH"):
        response = tutor.http.request(method, "/session")
        assert_error_body(response, 405)
        assert codes(response) == ["METHOD_NOT_ALLOWED"]


def test_request_id_is_echoed_only_when_sane(tutor: Tutor) -> None:
    sane = tutor.create_session({}, **{"X-Request-ID": "3f2b6c1e-1d4e-4b8a-9c1f-0a1b2c3d4e5f"})
    assert sane.headers["x-request-id"] == "3f2b6c1e-1d4e-4b8a-9c1f-0a1b2c3d4e5f"
    for insane in ["<script>", "x" * 200, "a b"]:
        response = tutor.create_session({"learning_level": "?"}, **{"X-Request-ID": insane})
        assert re.fullmatch(r"req_[0-9a-f]{24}", response.headers["x-request-id"])
        assert response.json()["request_id"] == response.headers["x-request-id"]


# Secrets and expiry --------------------------------------------------------------------------


def test_secret_is_stored_only_as_its_sha256(tutor: Tutor) -> None:
    secret = tutor.create_session(FULL_BODY).json()["client_secret"]
    [row] = tutor.rows("SELECT secret_hash FROM sessions")
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).digest()
    if tutor.db_path is not None:  # the whole SQLite file, WAL included
        raw = b"".join(path.read_bytes() for path in tutor.db_path.parent.glob(tutor.db_path.name + "*"))
        assert secret.encode() not in raw
    for table in ("sessions", "students", "visits"):
        assert secret not in repr([tuple(row) for row in tutor.rows(f"SELECT * FROM {table}")])


def test_expiry_is_capped_by_the_absolute_lifetime(make_tutor) -> None:
    tutor = make_tutor(session_idle_ttl=600, session_max_ttl=600)
    body = tutor.create_session({}).json()
    expires = datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert expires - datetime.now(UTC) <= timedelta(seconds=601)
    [row] = tutor.rows("SELECT expires_at, max_expires_at FROM sessions")
    assert row["expires_at"] == row["max_expires_at"]
