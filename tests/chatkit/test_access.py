"""Authentication and scoping: secrets, and threads that belong to one student only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.chatkit import requests as req
from tests.chatkit.conftest import Tutor
from tutorgpt_asgi.clock import utc_now


def without_volatile(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("timestamp", "request_id")}


def test_missing_unknown_expired_and_revoked_secrets_get_the_same_401(tutor: Tutor) -> None:
    chat = tutor.student()
    thread_id = chat.stream(req.create("Hi"))[0]["thread"]["id"]
    anonymous = httpx.post(tutor.base_url + "/", content=req.get(thread_id),
                           headers={"Content-Type": "application/json"})
    unknown = httpx.post(tutor.base_url + "/", content=req.get(thread_id),
                         headers={"Authorization": "Bearer sk_chatkit_not_a_real_one"})
    sessions = tutor.app.state.runtime.sessions
    # Expired by the clock, not by editing the row: on SQLite this process may reuse the
    # session it just authenticated for a few seconds, but never past its expiry.
    sessions.clock = lambda: utc_now() + timedelta(hours=13)
    expired = chat.post(req.get(thread_id))
    sessions.clock = utc_now
    bodies = []
    for response in (anonymous, unknown, expired):
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"].startswith("Bearer")
        body = response.json()
        assert body["details"][0]["code"] == "INVALID_CLIENT_SECRET" and body["request_id"]
        bodies.append(without_volatile(body))
    assert bodies[0] == bodies[1] == bodies[2]

    live = tutor.student()
    assert live.post(req.list_threads()).status_code == 200
    assert tutor.http.delete("/session", headers=live.headers()).status_code == 204
    revoked = live.post(req.list_threads())
    assert revoked.status_code == 401 and without_volatile(revoked.json()) == bodies[0]


def test_each_use_slides_the_idle_expiry(tutor: Tutor) -> None:
    chat = tutor.student()
    tutor.execute("UPDATE sessions SET expires_at = '2999-01-01T00:00:00.000000Z' WHERE id = ?",
                  (chat.session_id,))
    chat.json(req.list_threads())
    (expires_at,) = tutor.rows("SELECT expires_at FROM sessions WHERE id = ?", (chat.session_id,))[0]
    assert expires_at < "2999"  # recomputed from now + idle ttl by authenticate()


def test_another_students_thread_answers_exactly_like_a_missing_one(tutor: Tutor) -> None:
    owner = tutor.student(student_email="owner@example.com")
    events = owner.stream(req.create("My private question"))
    thread_id, question_id, answer_id = (
        events[0]["thread"]["id"], events[1]["item"]["id"], events[-2]["item"]["id"]
    )
    intruder = tutor.student(student_email="intruder@example.com")
    missing_id = "thr_" + "0" * 36
    for make in (
        lambda t: req.get(t),
        lambda t: req.list_items(t),
        lambda t: req.rename(t, "mine now"),
        lambda t: req.feedback(t, [answer_id], "negative"),
        lambda t: req.add(t, "let me in"),
        lambda t: req.retry(t, question_id),
    ):
        theirs, missing = intruder.post(make(thread_id)), intruder.post(make(missing_id))
        assert theirs.status_code == missing.status_code == 404
        assert without_volatile(theirs.json()) == without_volatile(missing.json())
        assert theirs.json()["details"][0]["code"] == "THREAD_NOT_FOUND"
    # Delete is idempotent (as in the reference server): {} for theirs and for a missing one.
    assert intruder.json(req.delete(thread_id)) == intruder.json(req.delete(missing_id)) == {}
    assert intruder.json(req.list_threads()) == {"data": [], "has_more": False}
    cursor = intruder.json(req.list_threads(after=thread_id), status=400)
    assert cursor["details"][0]["code"] == "INVALID_CURSOR"

    # Nothing changed for the owner, and the intruder's attempts left no trace.
    thread = owner.json(req.get(thread_id))
    assert thread["title"] == "On My private question" and len(thread["items"]["data"]) == 2
    assert tutor.rows("SELECT COUNT(*) FROM feedback")[0][0] == 0
    assert len(tutor.responder.turns) == 1

    # The same student in a new session (with their key) sees their threads.
    again = tutor.student(student_key=owner.key)
    assert [t["id"] for t in again.json(req.list_threads())["data"]] == [thread_id]
