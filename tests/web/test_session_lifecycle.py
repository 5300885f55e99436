"""The contract's post-MVP list: refresh, end, and list sessions, all by the bearer secret."""

from __future__ import annotations

from datetime import timedelta

from tests.web.conftest import Tutor
from tutorgpt_asgi.clock import utc_now
from tutorgpt_asgi.sessions.context import PageContext, encode_context_header


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_refresh_swaps_the_secret_and_keeps_the_session(tutor: Tutor) -> None:
    created = tutor.create_session({"student_email": "jane@example.com"}).json()
    refreshed = tutor.http.post("/session/refresh", headers=_bearer(created["client_secret"]))
    assert refreshed.status_code == 200
    body = refreshed.json()
    assert body["session_id"] == created["session_id"]
    assert body["client_secret"] != created["client_secret"]
    assert tutor.http.get("/sessions", headers=_bearer(created["client_secret"])).status_code == 401
    assert tutor.http.get("/sessions", headers=_bearer(body["client_secret"])).status_code == 200
    again = tutor.http.post("/session/refresh", headers=_bearer(created["client_secret"]))
    assert again.status_code == 401


def test_refresh_accepts_a_just_expired_secret_within_the_grace(tutor: Tutor) -> None:
    secret = tutor.create_session({}).json()["client_secret"]
    sessions = tutor.app.state.runtime.sessions
    sessions.clock = lambda: utc_now() + timedelta(minutes=31)  # expired a minute ago
    assert tutor.http.get("/sessions", headers=_bearer(secret)).status_code == 401
    assert tutor.http.post("/session/refresh", headers=_bearer(secret)).status_code == 200
    sessions.clock = lambda: utc_now() + timedelta(minutes=40)  # past the 5-minute grace
    other = tutor.create_session({}).json()["client_secret"]
    sessions.clock = lambda: utc_now() + timedelta(minutes=80)
    assert tutor.http.post("/session/refresh", headers=_bearer(other)).status_code == 401


def test_use_slides_the_idle_expiry_but_never_past_the_lifetime(make_tutor) -> None:
    tutor: Tutor = make_tutor(session_idle_ttl=600, session_max_ttl=900)
    secret = tutor.create_session({}).json()["client_secret"]
    sessions = tutor.app.state.runtime.sessions
    for minutes in (8, 13):  # each use inside the idle window slides it
        sessions.clock = lambda minutes=minutes: utc_now() + timedelta(minutes=minutes)
        assert tutor.http.get("/sessions", headers=_bearer(secret)).status_code == 200
    [row] = tutor.rows("SELECT expires_at, max_expires_at FROM sessions")
    assert row["expires_at"] == row["max_expires_at"]  # capped at 15 minutes after creation
    sessions.clock = lambda: utc_now() + timedelta(minutes=16)
    assert tutor.http.get("/sessions", headers=_bearer(secret)).status_code == 401


def test_delete_ends_the_bearers_session(tutor: Tutor) -> None:
    secret = tutor.create_session({}).json()["client_secret"]
    assert tutor.http.delete("/session", headers=_bearer(secret)).status_code == 204
    assert tutor.http.get("/sessions", headers=_bearer(secret)).status_code == 401
    assert tutor.http.post("/session/refresh", headers=_bearer(secret)).status_code == 401
    assert tutor.http.delete("/session", headers=_bearer(secret)).status_code == 401


def test_sessions_lists_only_the_bearers_student_and_no_secrets(tutor: Tutor) -> None:
    first = tutor.create_session({"student_email": "jane@example.com", "page_path": "/docs/a"}).json()
    second = tutor.create_session({"student_key": first["student_key"], "page_path": "/docs/b"}).json()
    tutor.create_session({"student_email": "other@example.com"})
    tutor.create_session({"student_email": "jane@example.com"})  # a claim, not Jane
    response = tutor.http.get("/sessions", headers=_bearer(second["client_secret"]))
    body = response.json()
    assert [s["session_id"] for s in body["data"]] == [second["session_id"], first["session_id"]]
    assert [s["page_path"] for s in body["data"]] == ["/docs/b", "/docs/a"]
    assert "sk_chatkit_" not in response.text


def test_missing_or_malformed_bearer_is_401_with_the_error_body(tutor: Tutor) -> None:
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer"},
                    {"Authorization": "Bearer sk_chatkit_unknown"}):
        response = tutor.http.get("/sessions", headers=headers)
        assert response.status_code == 401
        assert response.json()["details"][0]["code"] == "INVALID_CLIENT_SECRET"
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_requests_within_a_minute_do_not_rewrite_the_session(tutor: Tutor) -> None:
    secret = tutor.create_session({}).json()["client_secret"]
    [before] = tutor.rows("SELECT expires_at, last_active_at FROM sessions")
    for _ in range(3):
        assert tutor.http.get("/sessions", headers=_bearer(secret)).status_code == 200
    assert tutor.rows("SELECT expires_at, last_active_at FROM sessions") == [before]
    tutor.app.state.runtime.sessions.clock = lambda: utc_now() + timedelta(minutes=2)
    assert tutor.http.get("/sessions", headers=_bearer(secret)).status_code == 200
    [after] = tutor.rows("SELECT expires_at FROM sessions")
    assert after["expires_at"] > before["expires_at"]


def test_the_same_page_context_on_every_request_is_recorded_once(tutor: Tutor) -> None:
    secret = tutor.create_session({}).json()["client_secret"]
    on_lesson = encode_context_header(
        PageContext(page_path="/docs/retrieval/chunking", current_chapter="retrieval", current_lesson="chunking")
    )
    sessions = tutor.app.state.runtime.sessions
    for minutes in (0, 5, 10):  # the plugin sends the context with every protocol request
        sessions.clock = lambda minutes=minutes: utc_now() + timedelta(minutes=minutes)
        response = tutor.http.post(
            "/", json={"type": "threads.list", "params": {}},
            headers={**_bearer(secret), "X-TutorGPT-Context": on_lesson},
        )
        assert response.status_code == 200
    [visit] = tutor.rows("SELECT visits, first_visit_at, last_visit_at FROM visits WHERE lesson_id = 'chunking'")
    assert visit["visits"] == 1
    assert visit["last_visit_at"] == visit["first_visit_at"]  # no write while the reader stayed


def test_the_same_lesson_under_another_path_form_is_one_visit(tutor: Tutor) -> None:
    secret = tutor.create_session({}).json()["client_secret"]
    for path in ("/docs/retrieval/chunking", "/docs/retrieval/chunking/"):  # the static server adds the slash
        header = encode_context_header(
            PageContext(page_path=path, current_chapter="retrieval", current_lesson="chunking")
        )
        response = tutor.http.post(
            "/", json={"type": "threads.list", "params": {}},
            headers={**_bearer(secret), "X-TutorGPT-Context": header},
        )
        assert response.status_code == 200
    [visit] = tutor.rows("SELECT visits, page_path FROM visits WHERE lesson_id = 'chunking'")
    assert visit["visits"] == 1 and visit["page_path"] == "/docs/retrieval/chunking/"
