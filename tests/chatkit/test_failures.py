"""Bad requests (refused before any stream), responder failures, rate limits, disconnects."""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx
import msgspec
import pytest

from tests.chatkit import requests as req
from tests.chatkit.conformance import THREAD, conform, conform_events, parse_sse
from tests.chatkit.conftest import Tutor
from tests.chatkit.scripted import ScriptedResponder, crashes, fails_politely


def refusal(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "details", "timestamp", "request_id"}
    return body["details"][0]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (b"{not json", "INVALID_JSON", None),
        (b"[1, 2]", "INVALID_ENVELOPE", "type"),
        (b'{"params": {}}', "MISSING_TYPE", "type"),
        (b'{"type": "threads.teleport", "params": {}}', "UNKNOWN_REQUEST_TYPE", "type"),
        (b'{"type": "input.transcribe", "params": {}}', "UNSUPPORTED_REQUEST_TYPE", "type"),
        (b'{"type": "threads.create"}', "INVALID_PARAMS", None),
        (b'{"type": "threads.create", "params": {"input": {"content": "hi"}}}', "INVALID_PARAMS",
         "params.input.content"),
        (b'{"type": "threads.get_by_id", "params": {"thread_id": 7}}', "INVALID_PARAMS",
         "params.thread_id"),
        (b'{"type": "items.list", "params": {"thread_id": "t", "limit": -1}}', "INVALID_PARAMS",
         "params.limit"),
        (b" \x0c ", "INVALID_JSON", None),
        (b"", "INVALID_JSON", None),
        (b"[" * 976 + b"]" * 976, "INVALID_JSON", None),
        (b'{"type": "threads.list", "params": {}, "metadata": {"a": ' + b"[" * 976 + b"]" * 976 + b"}}",
         "INVALID_JSON", None),
        (b'{"type": "threads.list", "params": {"order": "sideways"}}', "INVALID_PARAMS",
         "params.order"),
        (b'{"type": "items.feedback", "params": {"thread_id": "t", "item_ids": [], "kind": "positive"}}',
         "INVALID_PARAMS", "params.item_ids"),
    ],
)
def test_malformed_requests_get_a_400_naming_the_problem(
    tutor: Tutor, body: bytes, code: str, field: str | None
) -> None:
    chat = tutor.student()
    detail = refusal(chat.post(body), 400)
    assert detail["code"] == code and detail.get("field") == field
    if code == "UNKNOWN_REQUEST_TYPE":
        assert "threads.teleport" in detail["message"]
    assert tutor.rows("SELECT COUNT(*) FROM threads")[0][0] == 0


def test_bad_messages_are_refused_before_anything_is_stored(tutor: Tutor) -> None:
    chat = tutor.student()
    huge_body = '{"type":"threads.create","params":{"input":{"content":[{"type":"input_text","text":"' \
        + "x" * (1024 * 1024) + '"}]}}}'
    assert refusal(chat.post(huge_body), 413)["code"] == "PAYLOAD_TOO_LARGE"
    assert refusal(chat.post(req.create("y" * 20_001)), 413)["code"] == "MESSAGE_TOO_LONG"
    assert refusal(chat.post(req.create("   ")), 400)["code"] == "EMPTY_MESSAGE"
    with_file = msgspec.json.decode(req.create("see file"))
    with_file["params"]["input"]["attachments"] = ["atc_1"]
    assert refusal(chat.post(with_file), 400)["code"] == "ATTACHMENTS_NOT_SUPPORTED"
    assert tutor.rows("SELECT COUNT(*) FROM threads")[0][0] == 0
    assert chat.stream(req.create("y" * 20_000))[-1]["type"] == "thread.updated"


def test_a_responder_error_keeps_the_partial_answer_and_shows_its_message(make_tutor: Any) -> None:
    tutor = make_tutor(ScriptedResponder(fails_politely))
    chat = tutor.student()
    events = chat.stream(req.create("Explain closures"))
    conform_events(events)
    assert [e["type"] for e in events[-3:]] == ["thread.item.updated", "thread.item.done", "error"]
    assert events[-1] == {"type": "error", "code": "custom", "allow_retry": True,
                          "message": "The tutor is busy, try again in a minute."}
    thread = conform(THREAD, chat.json(req.get(events[0]["thread"]["id"])))
    assert thread.title is None  # no title for a failed first turn
    assert thread.items.data[1].content[0].text == "Partly "


def test_an_unexpected_failure_is_a_generic_retryable_error(make_tutor: Any) -> None:
    tutor = make_tutor(ScriptedResponder(crashes))
    chat = tutor.student()
    events = chat.stream(req.create("Explain decorators"))
    conform_events(events)
    assert [e["type"] for e in events] == [
        "thread.created", "thread.item.done", "stream_options", "progress_update", "error"
    ]
    assert events[-1] == {"type": "error", "code": "stream.error", "allow_retry": True}
    assert "model exploded" not in str(events)


def test_the_message_rate_limit_answers_with_an_error_event(make_tutor: Any) -> None:
    tutor = make_tutor(message_rate_limit="2/minute")
    chat = tutor.student()
    thread_id = chat.stream(req.create("one"))[0]["thread"]["id"]
    chat.stream(req.add(thread_id, "two"))
    events = chat.stream(req.add(thread_id, "three"))
    conform_events(events)
    assert len(events) == 1 and events[0]["type"] == "error" and events[0]["code"] == "custom"
    assert "wait" in events[0]["message"] and events[0]["allow_retry"] is True
    assert len(chat.json(req.get(thread_id))["items"]["data"]) == 4  # "three" was not stored
    assert chat.stream(req.create("new thread"))[0]["type"] == "error"
    other = tutor.student()  # the limit is per session
    assert other.stream(req.create("mine"))[0]["type"] == "thread.created"


def test_a_reader_who_leaves_mid_answer_keeps_the_partial_answer(make_tutor: Any) -> None:
    responder = ScriptedResponder()
    responder.script = responder.stall
    tutor = make_tutor(responder)
    chat = tutor.student()
    received = b""
    with tutor.http.stream("POST", "/", content=req.create("Tell me everything"),
                           headers={**chat.headers(), "Content-Type": "application/json"}) as response:
        for chunk in response.iter_bytes():
            received += chunk
            if b"of an answer" in received:
                break
    events = parse_sse(received[: received.rindex(b"\n\n") + 2])
    thread_id = events[0]["thread"]["id"]
    assert responder.closed.wait(5), "the responder kept running after the client left"
    assert not responder.release.is_set()
    deadline = time.monotonic() + 5
    while True:
        items = chat.json(req.get(thread_id))["items"]["data"]
        if len(items) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [item["type"] for item in items] == ["user_message", "assistant_message"]
    assert items[1]["content"][0]["text"] == "The first half of an answer"
    conform(THREAD, chat.json(req.get(thread_id)))


def test_a_thread_deleted_mid_answer_ends_the_stream_with_an_error(make_tutor: Any) -> None:
    responder = ScriptedResponder()
    responder.script = responder.stall
    tutor = make_tutor(responder)
    chat = tutor.student()
    received = b""
    with tutor.http.stream("POST", "/", content=req.create("Long question"),
                           headers={**chat.headers(), "Content-Type": "application/json"}) as response:
        chunks = response.iter_bytes()
        for chunk in chunks:
            received += chunk
            if b"of an answer" in received:
                break
        thread_id = parse_sse(received[: received.index(b"\n\n") + 2])[0]["thread"]["id"]
        with httpx.Client(base_url=tutor.base_url, timeout=10) as other:
            deleted = other.post("/", content=req.delete(thread_id),
                                 headers={**chat.headers(), "Content-Type": "application/json"})
        assert deleted.status_code == 200
        responder.release.set()
        for chunk in chunks:
            received += chunk
    events = parse_sse(received)
    conform_events(events)
    assert events[-1] == {"type": "error", "code": "stream.error", "allow_retry": True}
    assert "thread.item.done" not in [e["type"] for e in events[2:]]
    assert tutor.rows("SELECT COUNT(*) FROM items")[0][0] == 0


@pytest.mark.parametrize("content_type", ["text/plain;charset=UTF-8", None, "application/x-www-form-urlencoded"])
def test_a_json_body_is_read_whatever_its_declared_type(tutor: Tutor, content_type: str | None) -> None:
    """``fetch`` labels a string body text/plain; the reference server reads it as JSON anyway."""
    chat = tutor.student()
    headers = chat.headers() if content_type is None else chat.headers(**{"Content-Type": content_type})
    response = tutor.http.post("/", content=req.create("hi"), headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    assert tutor.rows("SELECT COUNT(*) FROM threads")[0][0] == 1


def test_a_limit_of_zero_means_the_default_page(make_tutor: Any) -> None:
    tutor = make_tutor(message_rate_limit="1000/minute")
    chat = tutor.student()
    for number in range(21):
        chat.stream(req.create(f"question {number}"))
    assert len(chat.json(req.list_threads(limit=0))["data"]) == 20
    thread_id = chat.json(req.list_threads(limit=1))["data"][0]["id"]
    assert len(chat.json(req.list_items(thread_id, limit=0))["data"]) == 2


def test_deep_nesting_in_the_context_header_is_ignored_not_a_500(tutor: Tutor) -> None:
    """An invalid X-TutorGPT-Context is logged and ignored (a chat never fails because of it)."""
    chat = tutor.student()
    deep = base64.urlsafe_b64encode(b'{"page_path": ' + b"[" * 976 + b"]" * 976 + b"}").decode()
    response = chat.post(req.list_threads(), **{"X-TutorGPT-Context": deep})
    assert response.status_code == 200, response.text
