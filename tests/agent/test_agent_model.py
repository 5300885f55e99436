"""ModelTutor against the scripted OpenAI-compatible server, through the real openai SDK."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.agent.conftest import (
    SITE_URL,
    collect,
    fenced_data,
    open_session,
    turn_for,
)
from tests.support.model import ModelServer
from tutorgpt_asgi.agent import ModelTutor, OfflineTutor, build_responder
from tutorgpt_asgi.agent.model import BUSY_MESSAGE, EMPTY_MESSAGE, UNAVAILABLE_MESSAGE
from tutorgpt_asgi.agent.titles import TITLE_PROMPT
from tutorgpt_asgi.book.index import BookIndex
from tutorgpt_asgi.book.search import ScopeContext, search_book_content
from tutorgpt_asgi.chatkit.responder import Citation, Grounding, HistoryMessage, Progress, TextDelta, Usage
from tutorgpt_asgi.sessions.context import PageContext
from tutorgpt_asgi.sessions.service import AuthenticatedSession, SessionService
from tutorgpt_asgi.settings import load_settings
from tutorgpt_asgi.testing.openai_server import Failure, Reply, ToolCall

pytestmark = pytest.mark.anyio

#: The contract's tool definitions, copied from the contract (not from the code under test).
CONTRACT_TOOLS = [
    {"type": "function", "function": {
        "name": "search_book_content",
        "description": "Search the book content for relevant information",
        "parameters": {"type": "object", "properties": {
            "query": {"type": "string"},
            "scope": {"type": "string", "enum": ["current_lesson", "current_chapter", "entire_book"]},
        }, "required": ["query"]}}},
    {"type": "function", "function": {
        "name": "get_student_profile",
        "description": "Get student's learning profile and progress",
        "parameters": {"type": "object", "properties": {}, "required": []}}},
]
LOOP_LIMIT = f"{SITE_URL}/docs/foundations/agent-loop#why-the-loop-needs-a-limit"


def _tutor(server: ModelServer, book: BookIndex, sessions: SessionService, **overrides: Any) -> ModelTutor:
    settings = load_settings(
        {"model": "tutor-model", "openai_api_key": "sk-test", "openai_base_url": server.base_url,
         **overrides},
        environ={},
    )
    tutor = build_responder(settings, book, sessions)
    assert isinstance(tutor, ModelTutor)
    return tutor


def _text(events: list[Any]) -> str:
    return "".join(event.text for event in events if isinstance(event, TextDelta))


def _search(query: str, scope: str | None = None, call_id: str | None = None) -> ToolCall:
    arguments = {"query": query} | ({"scope": scope} if scope else {})
    return ToolCall("search_book_content", json.dumps(arguments), id=call_id)


async def test_request_carries_contract_settings_context_history_and_quote(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    model_server.model.enqueue(Reply(text="Hello Jane, the loop stops after six turns.", chunks=6))
    tutor = _tutor(model_server, book, sessions)
    turn = turn_for(
        jane, "What does this line do?", quoted_text="for _turn in range(TURN_BUDGET):",
        history=(HistoryMessage("user", "Hi!"), HistoryMessage("assistant", "Hello, how can I help?")),
    )
    events, error = await collect(tutor, turn)
    await tutor.aclose()
    assert error is None
    assert _text(events) == "Hello Jane, the loop stops after six turns."
    assert len([e for e in events if isinstance(e, TextDelta)]) == 6

    [request] = model_server.model.requests
    body = request.body
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test"
    assert body["model"] == "tutor-model"
    assert body["temperature"] == 0.7 and body["max_completion_tokens"] == 1000
    assert "max_tokens" not in body and body["stream_options"] == {"include_usage": True}
    [usage] = [event for event in events if isinstance(event, Usage)]
    assert usage.completion_tokens == len("Hello Jane, the loop stops after six turns.")  # the server's count
    assert body["stream"] is True
    assert body["tools"] == CONTRACT_TOOLS
    assert "tool_choice" not in body
    system = body["messages"][0]
    assert system["role"] == "system"
    assert '- Name: see "student_name" in the reader data below\n- Level: intermediate\n' in system["content"]
    reader = fenced_data(system["content"])
    assert (reader["student_name"], reader["current_chapter"], reader["current_lesson"]) == (
        "Jane Doe", "ai-agents", "agent-loop")
    assert reader["page_path"] == "/docs/foundations/agent-loop"
    assert reader["highlighted_text"] == "for _turn in range(TURN_BUDGET):"
    assert body["messages"][1:] == [
        {"role": "user", "content": "Hi!"},
        {"role": "assistant", "content": "Hello, how can I help?"},
        {"role": "user", "content": "The student quotes this passage:\n"
                                    "> for _turn in range(TURN_BUDGET):\n\nWhat does this line do?"},
    ]


async def test_instructions_follow_the_reader_to_a_new_page(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    model_server.model.enqueue(Reply(text="one"), Reply(text="two"))
    tutor = _tutor(model_server, book, sessions)
    await collect(tutor, turn_for(jane, "First question"))
    moved = await sessions.update_location(
        jane, PageContext(current_chapter="retrieval", current_lesson="chunking",
                          page_path="/docs/retrieval/chunking"))
    await collect(tutor, turn_for(moved, "Second question"))
    await tutor.aclose()
    first, second = (r.body["messages"][0]["content"] for r in model_server.model.requests)
    assert fenced_data(first)["current_lesson"] == "agent-loop" and "highlighted_text" in fenced_data(first)
    assert fenced_data(second)["current_lesson"] == "chunking"
    assert "highlighted_text" not in fenced_data(second)  # the highlight stayed on the old page


async def test_search_round_trip_streams_progress_answer_and_only_real_citations(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    answer = (
        "Every agent runs with a turn budget of six loop iterations [1]. "
        f"Read more in [the lesson]({LOOP_LIMIT}) or at "
        "https://book.example/docs/foundations/agent-loop#made-up-section."
    )
    model_server.model.enqueue(
        Reply(tool_calls=(_search("turn budget", "current_lesson", "call_s1"),), chunks=5),
        Reply(text=answer, chunks=9),
    )
    tutor = _tutor(model_server, book, sessions)
    events, error = await collect(tutor, turn_for(jane, "What is the turn budget?"))
    await tutor.aclose()
    assert error is None
    assert [type(e) for e in events].count(Usage) == 2  # one per model call
    events = [event for event in events if not isinstance(event, Usage)]
    assert _text(events) == answer
    events = [event for event in events if not isinstance(event, Grounding)]  # not shown
    kinds = [type(event).__name__ for event in events]
    assert kinds[0] == "Progress" and events[0] == Progress("Searching the book…", "search")
    citations = [e for e in events if isinstance(e, Citation)]
    assert citations == [Citation("The agent loop › Why the loop needs a limit", LOOP_LIMIT)]
    # The citation comes right after the text that cites it ("[1]"), not at the end.
    cited_at = kinds.index("Citation")
    assert "[1]" in _text(events[:cited_at]) and "made-up" in _text(events[cited_at:])

    first, second = (r.body for r in model_server.model.requests)
    assert "tool_choice" not in first
    assistant, tool = second["messages"][-2:]
    assert assistant["tool_calls"] == [{
        "id": "call_s1", "type": "function",
        "function": {"name": "search_book_content",
                     "arguments": '{"query": "turn budget", "scope": "current_lesson"}'},
    }]
    assert tool["role"] == "tool" and tool["tool_call_id"] == "call_s1"
    result = tool["content"]
    assert 'Search results for "turn budget" (scope: current_lesson).' in result
    assert "[1] The agent loop (The agent loop > Why the loop needs a limit)" in result
    assert f"URL: {LOOP_LIMIT}" in result
    expected = await search_book_content(
        book, "turn budget", "current_lesson", ScopeContext("ai-agents", "agent-loop"), k=5)
    for number, hit in enumerate(expected.hits, start=1):
        assert f"[{number}] {hit.title}" in result
        assert f"URL: {hit.url}\nCoverage: {hit.coverage:.2f}\nSnippet: {hit.snippet}" in result
    urls = re.findall(r"^URL: (\S+)$", result, re.M)
    assert urls == [hit.url for hit in expected.hits]
    assert all(url.startswith(f"{SITE_URL}/docs/foundations/agent-loop") for url in urls)


async def test_parallel_tool_calls_split_and_interleaved_are_both_answered(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    model_server.model.enqueue(
        Reply(
            text="Let me check. ",
            tool_calls=(
                _search("chunk overlap", call_id="call_a"),
                ToolCall("get_student_profile", "{}", id="call_b"),
            ),
            chunks=4,
            interleave_tool_calls=True,
        ),
        Reply(text="You visited two lessons; overlap is 15 percent [1]."),
    )
    tutor = _tutor(model_server, book, sessions)
    events, error = await collect(tutor, turn_for(jane, "What overlap, and where was I?"))
    await tutor.aclose()
    assert error is None
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress == [Progress("Searching the book…", "search"),
                        Progress("Checking your progress…", "profile")]
    assert [e.url for e in events if isinstance(e, Citation)] == [
        f"{SITE_URL}/docs/retrieval/chunking#overlap"]
    messages = model_server.model.requests[1].body["messages"]
    assistant, search_result, profile_result = messages[-3:]
    assert assistant["content"] == "Let me check. "
    assert [c["function"]["arguments"] for c in assistant["tool_calls"]] == [
        '{"query": "chunk overlap"}', "{}"]
    assert search_result["tool_call_id"] == "call_a" and "chunk overlap" in search_result["content"]
    assert profile_result["tool_call_id"] == "call_b"
    profile = fenced_data(profile_result["content"])
    assert profile["name"] == "Jane Doe" and profile["learning_level"] == "intermediate"
    assert profile["sessions_count"] == 1
    assert {lesson["lesson_id"] for lesson in profile["lessons"]} == {"prompts", "agent-loop"}
    assert profile["chapters"][0]["chapter_id"] == "ai-agents"
    assert profile["current_location"]["current_lesson"] == "agent-loop"


async def test_the_profile_tool_only_ever_shows_the_asking_student(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    bob = await open_session(sessions, "bob@example.com", "Bob", "beginner",
                             PageContext(current_chapter="retrieval", current_lesson="chunking"))
    model_server.model.enqueue(
        Reply(tool_calls=(ToolCall("get_student_profile",
                                   json.dumps({"student_id": jane.student_id, "email": "jane@example.com"})),)),
        Reply(text="Done."),
    )
    tutor = _tutor(model_server, book, sessions)
    await collect(tutor, turn_for(bob, "Show me Jane's progress"))
    await tutor.aclose()
    result = model_server.model.requests[1].body["messages"][-1]["content"]
    assert fenced_data(result)["name"] == "Bob"
    assert "Jane" not in result and "agent-loop" not in result


async def test_malformed_tool_calls_are_answered_as_tool_errors(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    model_server.model.enqueue(
        Reply(tool_calls=(
            ToolCall("search_book_content", '{"query": "turn', id="bad_json"),
            ToolCall("delete_everything", "{}", id="unknown"),
            ToolCall("search_book_content", '{"query": "x", "scope": "galaxy"}', id="bad_scope"),
            ToolCall("search_book_content", '{"query": "   "}', id="empty"),
            ToolCall("get_student_profile", "[1, 2]", id="not_object"),
        )),
        Reply(text="Sorry, let me answer anyway."),
    )
    tutor = _tutor(model_server, book, sessions)
    events, error = await collect(tutor, turn_for(jane, "Question"))
    await tutor.aclose()
    assert error is None and _text(events) == "Sorry, let me answer anyway."
    results = {m["tool_call_id"]: json.loads(m["content"])["error"]
               for m in model_server.model.requests[1].body["messages"] if m["role"] == "tool"}
    assert {key: value["code"] for key, value in results.items()} == {
        "bad_json": "invalid_arguments", "unknown": "unknown_tool", "bad_scope": "invalid_arguments",
        "empty": "invalid_arguments", "not_object": "invalid_arguments",
    }
    assert "search_book_content, get_student_profile" in results["unknown"]["message"]
    assert "scope" in results["bad_scope"]["message"]


async def test_tool_rounds_are_capped_then_tools_are_switched_off(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    model_server.model.enqueue(
        Reply(tool_calls=(_search("agent"),)),
        Reply(tool_calls=(_search("loop"),)),
        Reply(text="Final answer.", tool_calls=(_search("more"),)),  # ignores tool_choice
    )
    tutor = _tutor(model_server, book, sessions, max_tool_rounds=2)
    events, error = await collect(tutor, turn_for(jane, "Question"))
    await tutor.aclose()
    assert error is None and _text(events) == "Final answer."
    bodies = [r.body for r in model_server.model.requests]
    assert len(bodies) == 3
    assert ["tool_choice" in body for body in bodies] == [False, False, True]
    assert bodies[2]["tool_choice"] == "none"
    assert len([e for e in events if isinstance(e, Progress)]) == 2


async def test_history_is_cut_to_the_budget_oldest_first(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    model_server.model.enqueue(Reply(text="ok"))
    tutor = _tutor(model_server, book, sessions, history_budget_chars=60)
    history = (HistoryMessage("user", "old " * 20), HistoryMessage("assistant", "a" * 30),
               HistoryMessage("user", "b" * 25))
    await collect(tutor, turn_for(jane, "Now?", history=history))
    await tutor.aclose()
    messages = model_server.model.requests[0].body["messages"]
    assert [m["content"] for m in messages[1:]] == ["a" * 30, "b" * 25, "Now?"]


async def test_429_and_500_are_retried_then_the_answer_streams(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    model_server.model.enqueue(
        Failure(429, retry_after_ms=5), Failure(500, retry_after_ms=5), Reply(text="Third time lucky.")
    )
    tutor = _tutor(model_server, book, sessions, model_max_retries=2)
    events, error = await collect(tutor, turn_for(jane, "Question"))
    await tutor.aclose()
    assert error is None and _text(events) == "Third time lucky."
    assert len(model_server.model.requests) == 3


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_persistent_upstream_errors_end_in_the_busy_message(
    status: int, model_server: ModelServer, book: BookIndex, sessions: SessionService,
    jane: AuthenticatedSession,
) -> None:
    model_server.model.enqueue(*[Failure(status, retry_after_ms=5)] * 3)
    tutor = _tutor(model_server, book, sessions, model_max_retries=2)
    events, error = await collect(tutor, turn_for(jane, "Question"))
    await tutor.aclose()
    assert events == []
    assert error is not None and error.user_message == BUSY_MESSAGE and error.allow_retry
    assert len(model_server.model.requests) == 3


async def test_a_server_that_never_answers_times_out_within_the_bound(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    model_server.model.enqueue(*[Reply(text="late", first_byte_delay=1.0)] * 2)
    tutor = _tutor(model_server, book, sessions, model_timeout=0.3, model_max_retries=1)
    started = time.monotonic()
    events, error = await collect(tutor, turn_for(jane, "Question"))
    elapsed = time.monotonic() - started
    await tutor.aclose()
    assert error is not None and error.user_message == BUSY_MESSAGE
    assert len(model_server.model.requests) == 2  # the first try and one retry
    assert elapsed < tutor.response_deadline + 1.0


async def test_a_long_retry_after_is_cut_by_the_deadline(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    model_server.model.enqueue(Failure(429, retry_after_ms=60_000), Reply(text="too late"))
    tutor = _tutor(model_server, book, sessions, model_timeout=0.2, model_max_retries=1)
    assert tutor.response_deadline == pytest.approx(0.2 * 2 + 0.5)
    started = time.monotonic()
    _, error = await collect(tutor, turn_for(jane, "Question"))
    await tutor.aclose()
    assert error is not None and error.user_message == BUSY_MESSAGE
    assert time.monotonic() - started < tutor.response_deadline + 1.0
    assert len(model_server.model.requests) == 1


async def test_a_slow_stream_is_passed_on_as_it_arrives(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    model_server.model.enqueue(Reply(text="one two three four", chunks=4, delay=0.15))
    tutor = _tutor(model_server, book, sessions, model_timeout=2.0)
    arrivals: list[float] = []
    async for event in tutor.respond(turn_for(jane, "Question")):
        if isinstance(event, Usage | Grounding):  # recorded, not shown
            continue
        assert isinstance(event, TextDelta)
        arrivals.append(time.monotonic())
    await tutor.aclose()
    assert len(arrivals) == 4
    assert arrivals[-1] - arrivals[0] >= 0.3  # not buffered until the end


async def test_a_dropped_stream_ends_with_the_busy_message_after_the_partial_text(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    model_server.model.enqueue(Reply(text="The loop has three stages", chunks=5, drop_after_chunks=3))
    tutor = _tutor(model_server, book, sessions, model_max_retries=0)
    events, error = await collect(tutor, turn_for(jane, "Question"))
    await tutor.aclose()
    assert _text(events) == "The loop has three stages"[:10]
    assert error is not None and error.user_message == BUSY_MESSAGE


async def test_a_refused_key_is_not_retried_and_reads_as_unavailable(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    model_server.model.enqueue(Failure(401, "Incorrect API key provided"))
    tutor = _tutor(model_server, book, sessions)
    _, error = await collect(tutor, turn_for(jane, "Question"))
    await tutor.aclose()
    assert error is not None and error.user_message == UNAVAILABLE_MESSAGE and not error.allow_retry
    assert len(model_server.model.requests) == 1


async def test_an_empty_answer_is_an_error_not_silence(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    model_server.model.enqueue(Reply(text=""))
    tutor = _tutor(model_server, book, sessions)
    events, error = await collect(tutor, turn_for(jane, "Question"))
    await tutor.aclose()
    assert [type(e) for e in events] == [Usage, Grounding]  # recorded, not shown
    assert error is not None and error.user_message == EMPTY_MESSAGE


async def test_title_comes_from_a_tiny_prompt_and_falls_back_to_the_question(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    model_server.model.enqueue(Reply(text='"Title: Turn budgets explained."\n'), Failure(400))
    tutor = _tutor(model_server, book, sessions)
    turn = turn_for(jane, "What is the turn budget of an agent in this book?")
    assert await tutor.title(turn) == "Turn budgets explained"
    assert await tutor.title(turn) == "What is the turn budget of an agent in this book?"
    await tutor.aclose()
    body = model_server.model.requests[0].body
    assert body["messages"] == [
        {"role": "system", "content": TITLE_PROMPT},
        {"role": "user", "content": "What is the turn budget of an agent in this book?"},
    ]
    assert body["max_completion_tokens"] == 20 and not body.get("stream") and "tools" not in body


async def test_build_responder_picks_the_offline_tutor_without_a_model(
    book: BookIndex, sessions: SessionService
) -> None:
    offline = build_responder(load_settings({}, environ={}), book, sessions)
    assert isinstance(offline, OfflineTutor)
    configured = build_responder(
        load_settings({}, environ={"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}), book, sessions)
    assert isinstance(configured, ModelTutor)
    await configured.aclose()



async def test_the_instructions_name_the_book_by_its_export_title_or_the_setting(
    model_server: ModelServer, sessions: SessionService, jane: AuthenticatedSession, tmp_path: Path
) -> None:
    export = Path(__file__).resolve().parents[1] / "fixtures" / "book" / "book-index.json"
    async with await BookIndex.open(f"sqlite:///{tmp_path / 'titled.db'}") as titled:
        await titled.index_path(export)
        for overrides, expected in (({}, "The Widget Book"), ({"book_title": "Widgets 101"}, "Widgets 101")):
            model_server.model.enqueue(Reply(text="Hi."))
            tutor = _tutor(model_server, titled, sessions, **overrides)
            await collect(tutor, turn_for(jane, "Hello?"))
            await tutor.aclose()
            system = model_server.model.requests[-1].body["messages"][0]["content"]
            assert system.startswith(f"You are TutorGPT, an AI tutor for {expected}.\n")
            assert "AI-Native" not in system


async def test_a_weak_match_result_gives_the_model_nothing_to_cite(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    # The model cites anyway, by number and by a real section URL: neither may become a citation,
    # because a weak result registers no source in this turn.
    answer = (
        "The book does not cover this [1]. See "
        f"{LOOP_LIMIT} for something else."
    )
    model_server.model.enqueue(
        Reply(tool_calls=(_search("boiling point of tungsten on Mars", "entire_book", "call_w"),)),
        Reply(text=answer),
    )
    tutor = _tutor(model_server, book, sessions)
    events, error = await collect(tutor, turn_for(jane, "What is the boiling point of tungsten on Mars?"))
    await tutor.aclose()
    assert error is None and _text(events) == answer
    assert not [e for e in events if isinstance(e, Citation)]
    tool = model_server.model.requests[1].body["messages"][-1]
    assert "weak_match: true" in tool["content"] and "cite nothing" in tool["content"]
    assert "URL:" not in tool["content"] and "[1]" not in tool["content"]
    system = model_server.model.requests[1].body["messages"][0]["content"]
    assert "weak_match" in system and "cite nothing" in system


async def test_a_covered_question_is_not_weak_and_its_sources_stay_citable(
    model_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    model_server.model.enqueue(
        Reply(tool_calls=(_search("turn budget loop iterations", "entire_book", "call_c"),)),
        Reply(text="Six loop iterations [1]."),
    )
    tutor = _tutor(model_server, book, sessions)
    events, _ = await collect(tutor, turn_for(jane, "What is the turn budget?"))
    await tutor.aclose()
    tool = model_server.model.requests[1].body["messages"][-1]["content"]
    assert "weak_match" not in tool and "Coverage: 1.00" in tool
    assert [e for e in events if isinstance(e, Citation)] == [
        Citation("The agent loop › Why the loop needs a limit", LOOP_LIMIT)
    ]
