"""The issue's "done when", over real HTTP: TutorGPT served by uvicorn, a session for Jane at a
lesson, a question about her highlighted code, and the stream with a search progress update, a
streamed answer and a citation into the right lesson: once with the scripted model server
(through the real openai SDK) and once with the offline tutor.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from chatkit import types as ck

from tests.agent.conftest import BOOK_DOCS, SITE_URL, fenced_data
from tests.support.model import ModelServer
from tests.support.servers import serve
from tutorgpt_asgi import create_app
from tutorgpt_asgi.sessions.context import PageContext, encode_context_header
from tutorgpt_asgi.testing.openai_server import Reply, ToolCall

LESSON_URL = f"{SITE_URL}/docs/foundations/agent-loop#"
SESSION_BODY = {
    "page_path": "/docs/foundations/agent-loop",
    "page_title": "The agent loop",
    "current_chapter": "ai-agents",
    "current_lesson": "agent-loop",
    "highlighted_text": "for _turn in range(TURN_BUDGET):",
    "student_email": "jane@example.com",
    "student_name": "Jane Doe",
    "learning_level": "intermediate",
}
QUESTION = "What does this line of code do?"


def _sse(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(line[6:]) for line in body.decode().splitlines() if line.startswith("data: ")]


def _create_thread(text: str) -> str:
    message = ck.UserMessageInput(
        content=[ck.UserMessageTextContent(text=text)], attachments=[], quoted_text=None,
        inference_options=ck.InferenceOptions(),
    )
    return ck.ThreadsCreateReq(params=ck.ThreadCreateParams(input=message)).model_dump_json()


@pytest.fixture
def serve_tutor(tmp_path: Path) -> Iterator[Any]:
    contexts: list[Any] = []

    def start(**settings: Any) -> httpx.Client:
        app = create_app(
            database_url=f"sqlite:///{tmp_path / 'main.db'}",
            book_database_url=f"sqlite:///{tmp_path / 'book.db'}",
            book=str(BOOK_DOCS), site_url=SITE_URL, **settings,
        )
        context = serve(app)
        contexts.append(context)
        return httpx.Client(base_url=context.__enter__(), timeout=20)

    yield start
    for context in contexts:
        context.__exit__(None, None, None)


def _ask(http: httpx.Client) -> tuple[str, list[dict[str, Any]]]:
    created = http.post("/session", json=SESSION_BODY)
    assert created.status_code == 201, created.text
    secret = created.json()["client_secret"]
    response = http.post(
        "/", content=_create_thread(QUESTION),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    return secret, _sse(response.content)


def _check_stream(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Progress before the answer, text in several deltas, a citation into the lesson."""
    types = [event["type"] for event in events]
    progress = types.index("progress_update")
    assert events[progress]["text"] == "Searching the book…"
    updates = [e["update"] for e in events if e["type"] == "thread.item.updated"]
    deltas = [u for u in updates if u["type"] == "assistant_message.content_part.text_delta"]
    assert len(deltas) >= 2
    first_delta = next(i for i, e in enumerate(events) if e["type"] == "thread.item.updated"
                       and e["update"]["type"] == "assistant_message.content_part.text_delta")
    assert progress < first_delta
    done = next(e["item"] for e in events if e["type"] == "thread.item.done"
                and e["item"]["type"] == "assistant_message")
    annotations = done["content"][0]["annotations"]
    assert annotations and annotations[0]["source"]["url"].startswith(LESSON_URL)
    assert "error" not in types
    return done


def test_with_the_scripted_model(serve_tutor: Any, model_server: ModelServer) -> None:
    model_server.model.enqueue(
        Reply(tool_calls=(
            ToolCall("search_book_content", '{"query": "turn budget loop", "scope": "current_lesson"}'),
            ToolCall("get_student_profile", "{}"),
        ), chunks=3),
        Reply(text="It repeats the decide-act step at most TURN_BUDGET times [1].", chunks=5),
        Reply(text="The turn budget line"),  # the title
    )
    http = serve_tutor(model="tutor-model", openai_api_key="sk-test",
                       openai_base_url=model_server.base_url)
    _, events = _ask(http)
    done = _check_stream(events)
    assert done["content"][0]["text"] == "It repeats the decide-act step at most TURN_BUDGET times [1]."
    titled = [e for e in events if e["type"] == "thread.updated"]
    assert titled and titled[-1]["thread"]["title"] == "The turn budget line"

    first, second = (r.body for r in model_server.model.requests[:2])
    reader_data = fenced_data(first["messages"][0]["content"])
    assert reader_data["current_lesson"] == "agent-loop"
    assert reader_data["highlighted_text"] == "for _turn in range(TURN_BUDGET):"
    profile = fenced_data(second["messages"][-1]["content"])
    assert profile["name"] == "Jane Doe"
    assert [lesson["lesson_id"] for lesson in profile["lessons"]] == ["agent-loop"]


def test_with_the_offline_tutor(serve_tutor: Any) -> None:
    http = serve_tutor()
    _, events = _ask(http)
    done = _check_stream(events)
    assert "without a language model" in done["content"][0]["text"]
    titled = [e for e in events if e["type"] == "thread.updated"]
    assert titled[-1]["thread"]["title"] == QUESTION


def test_offline_tutor_follows_the_reader_to_another_lesson(serve_tutor: Any) -> None:
    http = serve_tutor()
    secret, _ = _ask(http)
    header = encode_context_header(PageContext(
        current_chapter="retrieval", current_lesson="chunking", page_path="/docs/retrieval/chunking"
    ))
    response = http.post(
        "/", content=_create_thread("What chunk overlap does this book use?"),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json",
                 "X-TutorGPT-Context": header},
    )
    done = next(e["item"] for e in _sse(response.content) if e["type"] == "thread.item.done"
                and e["item"]["type"] == "assistant_message")
    urls = [a["source"]["url"] for a in done["content"][0]["annotations"]]
    assert urls[0] == f"{SITE_URL}/docs/retrieval/chunking#overlap"
