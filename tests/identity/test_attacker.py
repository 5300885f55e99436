"""The issue's "done when": an attacker who knows only the victim's email, over real HTTP, in
each proof mode (student key, signed token, host callback), sees none of the victim's threads,
items, sessions, profile or progress; cannot rename, delete, post into or give feedback on
them; and cannot change the victim's name or level. The opt-in that gives this away is shown
too, so the README's threat model is tested rather than claimed."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.requests import Request

from tests.chatkit import requests as req
from tests.chatkit.conftest import Chat
from tests.identity.conftest import AUDIENCE, HS_SECRET, ISSUER, Site, token
from tests.support.model import ModelServer
from tutorgpt_asgi import Identity
from tutorgpt_asgi.sessions.context import PageContext, encode_context_header
from tutorgpt_asgi.testing.openai_server import Reply, ToolCall

VICTIM_EMAIL = "alice@example.com"
VICTIM_PAGE = "/docs/alice-secret-page"
MISSING_THREAD = "thr_" + "0" * 36


def host_identify(request: Request) -> Identity | None:
    """A host's sign-in, reduced to a header its own auth middleware would have checked."""
    user = request.headers.get("x-host-user")
    return Identity(subject=user, email=f"{user}@example.com", name=user.title()) if user else None


@dataclass
class Mode:
    """How the victim proves who she is, and what the attacker tries instead."""

    settings: dict[str, Any]
    victim: dict[str, Any]
    victim_headers: dict[str, str] = field(default_factory=dict)
    attackers: list[tuple[dict[str, Any], dict[str, str]]] = field(default_factory=list)


CLAIM = {"student_email": " ALICE@Example.com ", "student_name": "Mallory", "learning_level": "advanced"}

MODES: dict[str, Callable[[], Mode]] = {
    "student key": lambda: Mode(
        settings={},
        victim={"student_email": VICTIM_EMAIL, "student_name": "Alice", "learning_level": "beginner"},
        attackers=[(CLAIM, {})],
    ),
    "signed token": lambda: Mode(
        settings={"identity_jwt_secret": HS_SECRET, "identity_audience": AUDIENCE, "identity_issuer": ISSUER},
        victim={"identity_token": token({"sub": "alice", "email": VICTIM_EMAIL, "name": "Alice"})},
        attackers=[(CLAIM, {}),
                   ({**CLAIM, "identity_token": token({"sub": "mallory", "email": VICTIM_EMAIL})}, {})],
    ),
    "host callback": lambda: Mode(
        settings={"identify": host_identify},
        victim={"learning_level": "beginner"},
        victim_headers={"X-Host-User": "alice"},
        attackers=[(CLAIM, {}), (CLAIM, {"X-Host-User": "mallory"})],
    ),
}


def _model_settings(model_server: ModelServer) -> dict[str, Any]:
    return {"model": "tutor-model", "openai_api_key": "sk-test", "openai_base_url": model_server.base_url}


def _victim_history(site: Site, mode: Mode, model_server: ModelServer) -> tuple[Chat, str, str, str]:
    """Alice asks a question from her secret page; returns her chat and thread, question, answer ids."""
    victim = site.chat(mode.victim, **mode.victim_headers)
    model_server.model.enqueue(Reply(text="Alice's answer"), Reply(text="Alice's thread"))
    header = encode_context_header(PageContext(page_path=VICTIM_PAGE, current_chapter="alice-ch",
                                               current_lesson="alice-lesson", page_title="Alice's page"))
    events = victim.stream(req.create("Alice's private question"), **{"X-TutorGPT-Context": header})
    thread_id = events[0]["thread"]["id"]
    items = [e["item"] for e in events if e["type"] == "thread.item.done"]
    return victim, thread_id, items[0]["id"], items[-1]["id"]


def _attack(site: Site, attacker: Chat, thread_id: str, question_id: str, answer_id: str) -> None:
    for make in (
        req.get, req.list_items, lambda t: req.rename(t, "mine now"),
        lambda t: req.feedback(t, [answer_id], "negative"), lambda t: req.add(t, "let me in"),
        lambda t: req.retry(t, question_id),
    ):
        theirs, missing = attacker.post(make(thread_id)), attacker.post(make(MISSING_THREAD))
        assert theirs.status_code == missing.status_code == 404, theirs.text
        assert theirs.json()["details"] == missing.json()["details"]
    # Delete is idempotent (as in the reference server): {} for hers and for a missing one alike,
    # and hers is still there (checked by the caller).
    assert attacker.json(req.delete(thread_id)) == attacker.json(req.delete(MISSING_THREAD)) == {}
    assert attacker.json(req.list_threads()) == {"data": [], "has_more": False}
    sessions = site.http.get("/sessions", headers=attacker.headers()).json()
    assert [s["session_id"] for s in sessions["data"]] == [attacker.session_id]
    assert VICTIM_PAGE not in json.dumps(sessions)


def _profile_seen_by(attacker: Chat, model_server: ModelServer) -> str:
    """What get_student_profile told the model when the attacker asked for their progress."""
    model_server.model.reset()
    model_server.model.enqueue(
        Reply(tool_calls=(ToolCall("get_student_profile", '{"email": "alice@example.com"}'),)),
        Reply(text="Here is your progress."), Reply(text="Progress"),
    )
    attacker.stream(req.create("What is my progress?"))
    requests = model_server.model.requests
    tool_result = requests[1].body["messages"][-1]
    assert tool_result["role"] == "tool"
    return json.dumps([r.body for r in requests])


@pytest.mark.parametrize("mode_name", list(MODES))
def test_an_attacker_with_the_victims_email_gets_nothing_of_hers(
    make_site: Callable[..., Site], model_server: ModelServer, mode_name: str
) -> None:
    mode = MODES[mode_name]()
    site = make_site(**mode.settings, **_model_settings(model_server))
    victim, thread_id, question_id, answer_id = _victim_history(site, mode, model_server)
    [victim_before] = site.rows("SELECT * FROM students")
    visits_before = site.rows("SELECT * FROM visits WHERE student_id = ?", (victim_before["id"],))

    for body, headers in mode.attackers:
        response = site.session(body, **headers)
        assert response.status_code == 201, response.text
        attacker = Chat(site.http, response.json()["client_secret"], response.json()["session_id"])
        _attack(site, attacker, thread_id, question_id, answer_id)
        seen = _profile_seen_by(attacker, model_server)
        for secret in ("Alice's", VICTIM_PAGE, "alice-lesson", "alice-ch"):
            assert secret not in seen
        # The answer does not tell whether the email has a history: an unknown one gets the same.
        unknown = site.session({**body, "student_email": "nobody@example.com"}, **headers)
        assert unknown.status_code == 201 and set(unknown.json()) == set(response.json())

    [victim_after] = site.rows("SELECT * FROM students WHERE id = ?", (victim_before["id"],))
    assert dict(victim_after) == dict(victim_before)  # name, level and email untouched
    assert site.rows("SELECT * FROM visits WHERE student_id = ?", (victim_before["id"],)) == visits_before
    assert site.rows("SELECT COUNT(*) FROM feedback")[0][0] == 0
    thread = victim.json(req.get(thread_id))
    assert thread["title"] == "Alice's thread" and len(thread["items"]["data"]) == 2
    again = site.chat({"student_key": victim.key} if victim.key else mode.victim, **mode.victim_headers)
    assert [t["id"] for t in again.json(req.list_threads())["data"]] == [thread_id]


def test_the_trust_claimed_email_opt_in_gives_the_history_away(
    make_site: Callable[..., Site], caplog: pytest.LogCaptureFixture
) -> None:
    """What the README's threat model says the opt-in gives away, and the start-up warning."""
    with caplog.at_level("WARNING", logger="tutorgpt_asgi"):
        site = make_site(trust_claimed_email=True)
    assert "TUTORGPT_TRUST_CLAIMED_EMAIL is on" in caplog.text
    victim = site.chat({"student_email": VICTIM_EMAIL, "student_name": "Alice"})
    thread_id = victim.post(req.create("Alice's private question")).text.split('"thr_', 1)[1][:36]
    attacker = site.chat(CLAIM)
    assert [t["id"] for t in attacker.json(req.list_threads())["data"]] == ["thr_" + thread_id]
    assert site.rows("SELECT name FROM students")[0]["name"] == "Mallory"
