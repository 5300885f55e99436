"""Full turns over real HTTP, every payload validated against openai-chatkit's types."""

from __future__ import annotations

from typing import Any

import msgspec

from tests.chatkit import requests as req
from tests.chatkit.conformance import (
    ITEM_PAGE,
    THREAD,
    THREAD_PAGE,
    conform,
    conform_events,
    parse_sse,
)
from tests.chatkit.conftest import Tutor
from tests.chatkit.scripted import BOOK_URL, ScriptedResponder, with_notice
from tutorgpt_asgi.sessions.context import PageContext, encode_context_header


def kinds(events: list[dict[str, Any]]) -> list[str]:
    """Event types, with item updates spelled by their update type."""
    return [e["update"]["type"].rsplit(".", 1)[-1] if e["type"] == "thread.item.updated" else e["type"] for e in events]


def answer_text(events: list[dict[str, Any]]) -> str:
    return "".join(
        e["update"]["delta"] for e in events
        if e["type"] == "thread.item.updated" and e["update"]["type"].endswith("text_delta")
    )


def test_first_turn_streams_in_protocol_order_and_reloads(tutor: Tutor) -> None:
    chat = tutor.student(student_name="Ada", learning_level="advanced")
    response = chat.post(req.create("How do for loops work?"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache, no-transform"
    assert response.headers["x-accel-buffering"] == "no"
    events = parse_sse(response.content)
    conform_events(events)
    assert kinds(events) == [
        "thread.created", "thread.item.done", "stream_options", "progress_update",
        "thread.item.added", "added", "text_delta", "text_delta", "annotation_added",
        "text_delta", "done", "thread.item.done", "thread.updated",
    ]
    thread_id = events[0]["thread"]["id"]
    user_item, assistant_item = events[1]["item"], events[11]["item"]
    assert user_item["content"] == [{"type": "input_text", "text": "How do for loops work?"}]
    assert events[2]["stream_options"] == {"allow_cancel": True}
    assert events[3] == {"type": "progress_update", "text": "Searching the book…", "icon": "book-open"}
    assert events[4]["item"]["id"] == assistant_item["id"]
    text = "You asked: How do for loops work? See the lesson."
    assert answer_text(events) == text
    annotation = events[8]["update"]["annotation"]
    assert annotation["source"] == {"type": "url", "title": "Lesson 2: Loops", "url": BOOK_URL}
    assert annotation["index"] == len("You asked: How do for loops work?")
    assert assistant_item["content"] == [{"type": "output_text", "text": text, "annotations": [annotation]}]
    assert events[12]["thread"]["title"] == "On How do for loops work?"
    # ≥ 96 random bits: 24 hex digits after a 12-digit time prefix.
    for id_ in (thread_id, user_item["id"], assistant_item["id"]):
        assert len(id_.split("_", 1)[1]) == 36

    thread = chat.json(req.get(thread_id))
    conform(THREAD, thread)
    assert thread["title"] == "On How do for loops work?"
    assert thread["items"] == {"data": [user_item, assistant_item], "has_more": False}

    turn = tutor.responder.turns[0]
    assert (turn.context.student_name, turn.context.learning_level) == ("Ada", "advanced")
    assert turn.context.session_id == chat.session_id and turn.history == ()


def test_follow_up_gets_history_quote_and_current_page(tutor: Tutor) -> None:
    chat = tutor.student()
    first = chat.stream(req.create("What is a list?"))
    thread_id = first[0]["thread"]["id"]
    header = encode_context_header(PageContext(page_path="/docs/chapter-02/lesson-01",
                                               current_chapter="02-data", current_lesson="01-lists"))
    events = chat.stream(req.add(thread_id, "And a tuple?", quoted_text="Tuples are immutable."),
                         **{"X-TutorGPT-Context": header})
    conform_events(events)
    assert kinds(events)[:2] == ["thread.item.done", "stream_options"]
    assert events[0]["item"]["quoted_text"] == "Tuples are immutable."
    assert "thread.updated" not in kinds(events)  # titled after the first turn only

    turn = tutor.responder.turns[1]
    assert turn.user_text == "And a tuple?" and turn.quoted_text == "Tuples are immutable."
    assert [(m.role, m.text) for m in turn.history] == [
        ("user", "What is a list?"),
        ("assistant", "You asked: What is a list? See the lesson."),
    ]
    assert turn.context.location.current_lesson == "01-lists"
    row = tutor.rows("SELECT page_path, current_lesson FROM sessions WHERE id = ?", (chat.session_id,))[0]
    assert tuple(row) == ("/docs/chapter-02/lesson-01", "01-lists")
    thread = conform(THREAD, chat.json(req.get(thread_id)))
    assert len(thread.items.data) == 4


def test_invalid_context_header_is_ignored_with_a_warning(tutor: Tutor, caplog: Any) -> None:
    chat = tutor.student()
    bad = encode_context_header(PageContext(page_path="no-leading-slash"))
    events = chat.stream(req.create("Hi"), **{"X-TutorGPT-Context": bad})
    assert kinds(events)[-1] == "thread.updated"
    events = chat.stream(req.create("Hi again"), **{"X-TutorGPT-Context": "%%%not base64"})
    assert kinds(events)[-1] == "thread.updated"
    warnings = [r.getMessage() for r in caplog.records if "x-tutorgpt-context" in r.getMessage()]
    assert any("INVALID_PAGE_PATH" in w for w in warnings) and any("INVALID_CONTEXT_HEADER" in w for w in warnings)
    assert tutor.responder.turns[0].context.location.page_path is None


def test_paging_items_and_threads(tutor: Tutor) -> None:
    chat = tutor.student()
    thread_id = chat.stream(req.create("one"))[0]["thread"]["id"]
    chat.stream(req.add(thread_id, "two"))
    chat.stream(req.add(thread_id, "three"))
    everything = conform(ITEM_PAGE, chat.json(req.list_items(thread_id, limit=100, order="asc")))
    ids = [item.id for item in everything.data]
    assert len(ids) == 6 and not everything.has_more

    for order, expected in (("asc", ids), ("desc", ids[::-1])):
        seen, after = [], None
        while True:
            page = chat.json(req.list_items(thread_id, limit=4, order=order, after=after))
            conform(ITEM_PAGE, page)
            seen += [item["id"] for item in page["data"]]
            if not page["has_more"]:
                assert "after" not in page
                break
            after = page["after"]
            assert after == page["data"][-1]["id"]
        assert seen == expected
    default = chat.json(req.list_items(thread_id))
    assert [item["id"] for item in default["data"]] == ids[::-1]  # desc by default

    other = [chat.stream(req.create(f"thread {n}"))[0]["thread"]["id"] for n in range(2)]
    newest_first = [*other[::-1], thread_id]
    first = conform(THREAD_PAGE, chat.json(req.list_threads(limit=2)))
    assert [t.id for t in first.data] == newest_first[:2] and first.has_more and first.after == other[0]
    assert all(t.items.data == [] for t in first.data) and first.data[0].title == "On thread 1"
    rest = conform(THREAD_PAGE, chat.json(req.list_threads(limit=2, after=first.after)))
    assert [t.id for t in rest.data] == [thread_id] and not rest.has_more
    ascending = chat.json(req.list_threads(order="asc"))
    assert [t["id"] for t in ascending["data"]] == newest_first[::-1]

    bad = chat.json(req.list_items(thread_id, after="msg_unknown"), status=400)
    assert bad["details"][0]["code"] == "INVALID_CURSOR"


def test_rename_delete_and_feedback(tutor: Tutor) -> None:
    chat = tutor.student()
    events = chat.stream(req.create("Explain recursion"))
    thread_id, answer_id = events[0]["thread"]["id"], events[-2]["item"]["id"]
    renamed = conform(THREAD, chat.json(req.rename(thread_id, "  Recursion   notes ")))
    assert renamed.title == "Recursion notes"
    assert chat.json(req.get(thread_id))["title"] == "Recursion notes"
    assert chat.json(req.rename(thread_id, "   "), status=400)["details"][0]["code"] == "INVALID_TITLE"

    assert chat.json(req.feedback(thread_id, [answer_id], "positive")) == {}
    assert chat.json(req.feedback(thread_id, [answer_id], "negative")) == {}
    rows = tutor.rows("SELECT item_id, kind, session_id FROM feedback")
    assert [tuple(r) for r in rows] == [(answer_id, "negative", chat.session_id)]
    missing = chat.json(req.feedback(thread_id, [answer_id, "msg_nope"], "positive"), status=404)
    assert missing["details"][0]["code"] == "ITEM_NOT_FOUND"

    assert chat.json(req.delete(thread_id)) == {}
    assert chat.json(req.get(thread_id), status=404)["details"][0]["code"] == "THREAD_NOT_FOUND"
    assert chat.json(req.delete(thread_id)) == {}  # idempotent, as in the reference server
    assert tutor.rows("SELECT COUNT(*) FROM items")[0][0] == 0
    assert tutor.rows("SELECT COUNT(*) FROM feedback")[0][0] == 0
    assert chat.json(req.list_threads()) == {"data": [], "has_more": False}


def test_retry_replaces_the_answer(tutor: Tutor) -> None:
    chat = tutor.student()
    first = chat.stream(req.create("Why indent?"))
    thread_id, question_id = first[0]["thread"]["id"], first[1]["item"]["id"]
    second = chat.stream(req.add(thread_id, "Tabs or spaces?"))
    events = chat.stream(req.retry(thread_id, question_id))
    conform_events(events)
    assert kinds(events)[0] == "stream_options" and "thread.updated" not in kinds(events)
    assert answer_text(events) == "You asked: Why indent? See the lesson."
    items = chat.json(req.get(thread_id))["items"]["data"]
    assert [i["id"] for i in items] == [question_id, events[-1]["item"]["id"]]
    assert second[0]["item"]["id"] not in {i["id"] for i in items}
    assert tutor.responder.turns[-1].history == ()

    answer_id = items[1]["id"]
    not_user = chat.json(req.retry(thread_id, answer_id), status=400)
    assert not_user["details"][0]["code"] == "NOT_A_USER_MESSAGE"
    assert chat.json(req.retry(thread_id, "msg_nope"), status=404)["details"][0]["code"] == "ITEM_NOT_FOUND"


def test_notices_pass_through(make_tutor: Any) -> None:
    tutor = make_tutor(ScriptedResponder(with_notice))
    events = tutor.student().stream(req.create("sets"))
    conform_events(events)
    assert events[3] == {"type": "notice", "level": "info", "message": "Answers use the book only.",
                         "title": "Heads up"}
    assert answer_text(events) == "About sets"


def test_sdk_request_bodies_with_metadata_and_unknown_fields_are_accepted(tutor: Tutor) -> None:
    chat = tutor.student()
    body = msgspec.json.decode(req.create("Hello"))
    body["metadata"] = {"source": "test"}
    body["future_field"] = 1
    body["params"]["input"]["future"] = {"x": 1}
    del body["params"]["input"]["inference_options"], body["params"]["input"]["attachments"]
    body["params"]["input"]["content"].append(
        {"type": "input_tag", "id": "ch1", "text": "@Chapter 1", "data": {}, "interactive": False}
    )
    events = chat.stream(body)
    conform_events(events)
    assert events[1]["item"]["content"][1] == {
        "type": "input_tag", "id": "ch1", "text": "@Chapter 1", "data": {}, "interactive": False
    }
    assert tutor.responder.turns[0].user_text == "Hello@Chapter 1"


def test_get_by_id_pages_like_the_reference_server(make_tutor: Any) -> None:
    """The oldest 20 items, ascending, with has_more/after; items.list continues from after."""
    tutor = make_tutor(message_rate_limit="1000/minute")
    chat = tutor.student()
    thread_id = chat.stream(req.create("question 0"))[0]["thread"]["id"]
    for number in range(1, 11):
        chat.stream(req.add(thread_id, f"question {number}"))
    everything = [row["id"] for row in tutor.rows("SELECT id FROM items ORDER BY seq")]
    assert len(everything) == 22
    thread = conform(THREAD, chat.json(req.get(thread_id)))
    first_page = [item.id for item in thread.items.data]
    assert first_page == everything[:20]
    assert thread.items.has_more and thread.items.after == everything[19]
    rest = chat.json(req.list_items(thread_id, order="asc", after=thread.items.after))
    assert [item["id"] for item in rest["data"]] == everything[20:] and rest["has_more"] is False
