"""Today's models and yesterday's servers: the request adapts to what the endpoint refuses.

Each test runs the real ``openai`` SDK against a scripted server speaking one dialect:
``reasoning`` refuses as OpenAI does for o-series / gpt-5 models (400 ``unsupported_parameter``
for ``max_tokens``, ``unsupported_value`` for a non-default ``temperature``); ``legacy`` is an
older OpenAI-compatible server that knows only ``max_tokens`` and no ``stream_options``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.agent.conftest import collect, turn_for
from tests.support.model import ModelServer
from tutorgpt_asgi.agent import ModelTutor, build_responder
from tutorgpt_asgi.book.index import BookIndex
from tutorgpt_asgi.chatkit.responder import TextDelta, Usage
from tutorgpt_asgi.sessions.service import AuthenticatedSession, SessionService
from tutorgpt_asgi.settings import load_settings
from tutorgpt_asgi.testing.openai_server import Dialect, Reply, ScriptedModel, running

pytestmark = pytest.mark.anyio
ANSWER = "The loop stops after six turns."


def _served(dialect: Dialect) -> Iterator[ModelServer]:
    model = ScriptedModel(Reply(text=ANSWER, chunks=3), dialect=dialect)
    with running(model) as base_url:
        yield ModelServer(model, base_url)


@pytest.fixture
def reasoning_server() -> Iterator[ModelServer]:
    yield from _served("reasoning")


@pytest.fixture
def legacy_server() -> Iterator[ModelServer]:
    yield from _served("legacy")


def _tutor(server: ModelServer, book: BookIndex, sessions: SessionService) -> ModelTutor:
    settings = load_settings(
        {"model": "gpt-5-mini", "openai_api_key": "sk-test", "openai_base_url": server.base_url},
        environ={},
    )
    tutor = build_responder(settings, book, sessions)
    assert isinstance(tutor, ModelTutor)
    return tutor


def _answer(events: list[object]) -> str:
    return "".join(event.text for event in events if isinstance(event, TextDelta))


async def test_a_reasoning_model_answers_after_one_retry_and_is_remembered(
    reasoning_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    tutor = _tutor(reasoning_server, book, sessions)
    events, error = await collect(tutor, turn_for(jane, "When does the loop stop?"))
    assert error is None and _answer(events) == ANSWER
    first, retried = (request.body for request in reasoning_server.model.requests)
    assert first["temperature"] == 0.7 and "max_tokens" not in first  # refused: unsupported_value
    assert "temperature" not in retried and retried["max_completion_tokens"] == 1000
    assert [event for event in events if isinstance(event, Usage)] == [Usage(
        prompt_tokens=sum(len(m["content"]) for m in retried["messages"]), completion_tokens=len(ANSWER)
    )]

    # Remembered for this model: the title and the next turn are accepted on the first try.
    assert await tutor.title(turn_for(jane, "When does the loop stop?")) == ANSWER.rstrip(".")
    events, error = await collect(tutor, turn_for(jane, "And then?"))
    await tutor.aclose()
    assert error is None and _answer(events) == ANSWER
    requests = [request.body for request in reasoning_server.model.requests]
    assert len(requests) == 4
    assert all("temperature" not in body and "max_tokens" not in body for body in requests[2:])


async def test_an_old_server_that_knows_only_max_tokens_keeps_working(
    legacy_server: ModelServer, book: BookIndex, sessions: SessionService, jane: AuthenticatedSession
) -> None:
    tutor = _tutor(legacy_server, book, sessions)
    events, error = await collect(tutor, turn_for(jane, "When does the loop stop?"))
    assert error is None and _answer(events) == ANSWER
    assert not any(isinstance(event, Usage) for event in events)  # it cannot report usage
    bodies = [request.body for request in legacy_server.model.requests]
    assert "max_completion_tokens" in bodies[0]
    assert bodies[1]["max_tokens"] == 1000 and "max_completion_tokens" not in bodies[1]
    assert "stream_options" not in bodies[-1] and bodies[-1]["max_tokens"] == 1000
    assert len(bodies) == 3  # one retry per refused parameter

    events, error = await collect(tutor, turn_for(jane, "And then?"))
    await tutor.aclose()
    assert error is None and _answer(events) == ANSWER
    assert len(legacy_server.model.requests) == 4  # no more refusals: both are remembered
