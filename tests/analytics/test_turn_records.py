"""Turn records through the ChatKit server, with a scripted responder over real HTTP: one record
per question (a retry replaces it), unanswered and cut-off turns still count, the grounding and
usage the responder reports are kept, and nothing secret or personal is stored."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.chatkit import requests as req
from tests.chatkit.conformance import parse_sse
from tests.chatkit.scripted import ScriptedResponder, fails_politely
from tests.support.databases import SyncDatabase
from tests.support.tutor import start_served
from tutorgpt_asgi.chatkit.responder import (
    Grounding,
    ResponderError,
    ResponderEvent,
    TextDelta,
    Turn,
    Usage,
)
from tutorgpt_asgi.chatkit.server import ChatKitServer
from tutorgpt_asgi.sessions.context import PageContext, encode_context_header

HERE = PageContext(page_path="/docs/loops", current_chapter="basics", current_lesson="loops",
                   highlighted_text="for x in y:", highlight_anchor="the-for-loop")


async def grounded(turn: Turn) -> AsyncGenerator[ResponderEvent, None]:
    yield Usage(120, 7)
    yield TextDelta("Loops repeat. ")
    yield Usage(30, 5)
    yield Grounding(scope="current_chapter", cited=True, not_in_book=False, anchor="https://b/x#y")
    yield TextDelta("Done.")


async def nothing_then_error(turn: Turn) -> AsyncGenerator[ResponderEvent, None]:
    yield Grounding(scope="entire_book", cited=False, not_in_book=True)
    raise ResponderError("The tutor is busy.")


class Served:
    def __init__(self, http: httpx.Client, db: SyncDatabase, responder: ScriptedResponder) -> None:
        self.http, self.db, self.responder = http, db, responder
        created = http.post("/session", json={"student_email": "ann@example.com", "student_name": "Ann"})
        self.headers = {"Authorization": f"Bearer {created.json()['client_secret']}",
                        "Content-Type": "application/json", "X-TutorGPT-Context": encode_context_header(HERE)}

    def stream(self, body: str) -> list[dict[str, object]]:
        response = self.http.post("/", content=body, headers=self.headers)
        assert response.status_code == 200, response.text
        return parse_sse(response.content)

    def records(self) -> list[Any]:
        return self.db.rows("SELECT * FROM turn_records ORDER BY created_at")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with ExitStack() as stack:
        app, base, db = start_served(tmp_path, stack)
        runtime = app.state.runtime
        responder = ScriptedResponder(grounded)
        http = stack.enter_context(httpx.Client(base_url=base, timeout=20))
        http.get("/health")  # starts the runtime
        runtime.chatkit = ChatKitServer(runtime.db, responder, runtime.message_limiter, model="m1")
        yield Served(http, db, responder)


def test_a_turn_records_grounding_usage_and_place_but_nothing_personal(served: Served) -> None:
    events = served.stream(req.create("How do loops work?"))
    [record] = served.records()
    answer = next(e["item"] for e in events if e["type"] == "thread.item.done"
                  and e["item"]["type"] == "assistant_message")  # type: ignore[index]
    assert record["answer_item_id"] == answer["id"]  # type: ignore[index]
    assert (record["chapter_id"], record["lesson_id"], record["page_path"]) == ("basics", "loops", "/docs/loops")
    assert (record["searched_scope"], record["cited"], record["not_in_book"]) == ("current_chapter", 1, 0)
    assert record["anchor"] == "/docs/loops#the-for-loop"  # the plugin's anchor for the highlight wins
    assert (record["prompt_tokens"], record["completion_tokens"], record["model"]) == (150, 12, "m1")
    assert record["follow_up"] == 0 and record["first_delta_ms"] >= 0
    stored = " ".join(str(value) for value in tuple(record))
    assert "ann@example.com" not in stored and "Ann" not in stored and "loops work" not in stored
    assert "Bearer" not in stored and served.headers["Authorization"][7:] not in stored


def test_follow_up_and_retry_keep_one_record_per_question(served: Served) -> None:
    events = served.stream(req.create("First?"))
    thread = events[0]["thread"]["id"]  # type: ignore[index]
    served.stream(req.add(thread, "And then?"))
    follow = served.records()[-1]
    assert follow["follow_up"] == 1
    served.stream(req.retry(thread, follow["item_id"]))
    records = served.records()
    assert len(records) == 2 and records[-1]["item_id"] == follow["item_id"]
    assert records[-1]["answer_item_id"] != follow["answer_item_id"]  # the new answer replaced it


def test_unanswered_and_failed_turns_are_recorded(served: Served) -> None:
    served.responder.script = nothing_then_error
    events = served.stream(req.create("Anything?"))
    assert events[-1]["type"] == "error"
    [record] = served.records()
    assert record["answer_item_id"] is None and record["not_in_book"] == 1 and record["first_delta_ms"] is None
    served.responder.script = fails_politely  # some text, then an error: the partial answer counts
    served.stream(req.create("Again?"))
    assert served.records()[-1]["answer_item_id"] is not None


def test_a_reader_who_leaves_mid_answer_still_leaves_a_record(served: Served) -> None:
    served.responder.script = served.responder.stall
    with served.http.stream("POST", "/", content=req.create("Slow?"), headers=served.headers) as response:
        for line in response.iter_lines():
            if "text_delta" in line:
                break
    deadline = time.monotonic() + 10
    while not served.records():
        assert time.monotonic() < deadline, "no record after the reader left"
        time.sleep(0.05)
    assert served.records()[0]["answer_item_id"] is not None
