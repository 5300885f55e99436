"""The msgspec protocol types against openai-chatkit's models, without a server."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from chatkit import types as ck
from msgspec import UNSET

from tests.chatkit import requests as req
from tests.chatkit.conformance import EVENT, conform
from tutorgpt_asgi.chatkit.answer import AnswerBuilder
from tutorgpt_asgi.chatkit.envelope import decode_request
from tutorgpt_asgi.chatkit.errors import ProtocolError
from tutorgpt_asgi.chatkit.responder import Citation, Notice, Progress, TextDelta
from tutorgpt_asgi.chatkit.sse import encode_event
from tutorgpt_asgi.chatkit.types import (
    UNSUPPORTED_REQUEST_TYPES,
    ErrorEvent,
    InputTag,
    ItemDone,
    NoticeEvent,
    StreamEvent,
    ThreadsAddUserMessage,
    ThreadsCreate,
)


def as_json(event: StreamEvent) -> Any:
    frame = encode_event(event)
    assert frame.startswith(b"data: ") and frame.endswith(b"\n\n") and frame.count(b"\n") == 2
    return msgspec.json.decode(frame[6:])


@pytest.mark.parametrize(
    "body",
    [
        req.create("hi", quoted_text="a passage"),
        req.add("thr_1", "hi"),
        req.retry("thr_1", "msg_1"),
        req.get("thr_1"),
        req.list_threads(limit=5, order="asc", after="thr_0"),
        req.list_items("thr_1", limit=5, after="msg_0"),
        req.rename("thr_1", "A title"),
        req.delete("thr_1"),
        req.feedback("thr_1", ["msg_1", "msg_2"], "positive"),
    ],
)
def test_every_sdk_request_model_decodes(body: str) -> None:
    request = decode_request(body.encode())
    sent = msgspec.json.decode(body)
    assert request.__struct_config__.tag == sent["type"]
    # The decoded params say what was sent (explicit nulls become "not given").
    params = msgspec.to_builtins(request.params)
    for name, value in sent["params"].items():
        if value is not None and name != "input":
            assert params[name] == value


def test_explicit_nulls_and_missing_optional_fields_decode_the_same() -> None:
    explicit = decode_request(req.create("hi").encode())
    minimal = decode_request(
        b'{"type":"threads.create","params":{"input":{"content":[{"type":"input_text","text":"hi"}]}}}'
    )
    assert isinstance(explicit, ThreadsCreate) and isinstance(minimal, ThreadsCreate)
    assert explicit.params == minimal.params and explicit.metadata == minimal.metadata == {}
    assert minimal.params.input.quoted_text is UNSET and minimal.params.input.attachments == []
    tagged = decode_request(
        b'{"type":"threads.add_user_message","params":{"thread_id":"t","input":{"content":'
        b'[{"type":"input_tag","id":"x","text":"@X","data":{"k":1},"group":null}],'
        b'"inference_options":{"tool_choice":{"id":"quiz"},"model":null}}}}'
    )
    assert isinstance(tagged, ThreadsAddUserMessage)
    assert tagged.params.input.content == [InputTag(id="x", text="@X", data={"k": 1})]
    assert msgspec.to_builtins(tagged.params.input.inference_options) == {"tool_choice": {"id": "quiz"}}


@pytest.mark.parametrize("kind", sorted(UNSUPPORTED_REQUEST_TYPES))
def test_types_the_sdk_knows_but_tutorgpt_does_not_serve_are_named(kind: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        decode_request(msgspec.json.encode({"type": kind, "params": {}}))
    detail = refused.value.details[0]
    assert refused.value.status == 400 and detail.code == "UNSUPPORTED_REQUEST_TYPE"
    assert kind in detail.message


def test_answer_events_conform_in_every_order() -> None:
    answer = AnswerBuilder("thr_1")
    events: list[StreamEvent] = []
    for event in (
        Citation("Before any text", "https://book.example.com/a"),
        Progress("Searching", "not-an-icon"),
        Progress("Reading", "lucide:book"),
        TextDelta(""),
        TextDelta("Hello"),
        Notice("Careful", "warning"),
        Citation("After text", "https://book.example.com/b"),
    ):
        events += answer.apply(event)
    final, closing = answer.finish()
    events += [*closing, ItemDone(item=final)]
    payloads = [as_json(event) for event in events]
    for payload in payloads:
        conform(EVENT, payload)
    types = [p["update"]["type"] if p["type"] == "thread.item.updated" else p["type"] for p in payloads]
    assert types[:3] == [
        "thread.item.added",
        "assistant_message.content_part.added",
        "assistant_message.content_part.annotation_added",
    ]
    assert payloads[3] == {"type": "progress_update", "text": "Searching"}  # unknown icon dropped
    assert payloads[4]["icon"] == "lucide:book"
    assert payloads[6] == {"type": "notice", "level": "warning", "message": "Careful"}
    annotations = payloads[-1]["item"]["content"][0]["annotations"]
    assert [a["index"] for a in annotations] == [0, 5]
    assert payloads[-1]["item"]["content"][0]["text"] == "Hello"


def test_error_and_notice_events_omit_unset_fields() -> None:
    assert as_json(ErrorEvent(code="stream.error", allow_retry=True)) == {
        "type": "error", "code": "stream.error", "allow_retry": True
    }
    notice = conform(EVENT, as_json(NoticeEvent(level="danger", message="**Stop**", title="T")))
    assert isinstance(notice, ck.NoticeEvent) and notice.title == "T"
