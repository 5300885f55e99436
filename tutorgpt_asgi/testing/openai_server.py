"""A scripted, OpenAI-compatible Chat Completions server (Starlette) for tests and benchmarks.

Why a real server and not a mock object: the agent must work with the real ``openai`` SDK over
real HTTP (streaming, retries, timeouts, tool-call deltas split across chunks), and only a
server on a loopback port exercises all of that. Each request to ``/v1/chat/completions``
takes the next scripted response (a :class:`Reply` or a :class:`Failure`), falling back to a
default reply when one is set, and every request body is recorded for assertions.

Run it on its own (e.g. for the benchmarks) with a fixed answer::

    python -m tutorgpt_asgi.testing.openai_server --port 8001 --answer "Hello there" --chunks 8

In tests, ``with running(model) as base_url:`` serves it from a background thread on a free
port; point ``AsyncOpenAI(base_url=base_url)`` at it.
"""

from __future__ import annotations

import argparse
import itertools
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import anyio
import msgspec
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A function call the scripted model makes; ``arguments`` is raw text (may be bad JSON)."""

    name: str
    arguments: str = "{}"
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """One scripted answer.

    ``chunks`` is how many pieces the text and each tool call's arguments are split into;
    ``delay`` is the pause between chunks (a slow stream); ``first_byte_delay`` is the pause
    before the response starts (long enough, it makes the client time out);
    ``interleave_tool_calls`` sends the pieces of parallel tool calls alternately, as some
    servers do; ``drop_after_chunks`` cuts the connection after that many chunks;
    ``usage`` is the ``(prompt_tokens, completion_tokens)`` reported when the request asks for
    ``stream_options.include_usage`` (or in a non-streamed completion); ``None`` (the default)
    reports deterministic counts: characters of the prompt's texts and of the answer.
    """

    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    chunks: int = 4
    delay: float = 0.0
    first_byte_delay: float = 0.0
    interleave_tool_calls: bool = False
    drop_after_chunks: int | None = None
    usage: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """An HTTP error response such as 429 or 500, as the OpenAI API shapes it."""

    status: int
    message: str = "scripted failure"
    retry_after_ms: int | None = None


Scripted = Reply | Failure

#: How a scripted endpoint treats the token-limit and sampling parameters:
#: ``"modern"`` takes everything; ``"reasoning"`` refuses ``max_tokens`` and any ``temperature``
#: but 1 exactly as OpenAI answers for its o-series and gpt-5 models (400 with the codes
#: ``unsupported_parameter`` / ``unsupported_value`` and the ``param``); ``"legacy"`` is an older
#: OpenAI-compatible server that knows only ``max_tokens`` and no ``stream_options``, and refuses
#: what it does not know with a plain 400 (no code), as such servers do.
Dialect = Literal["modern", "reasoning", "legacy"]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """What a client sent: the path, the headers and the decoded JSON body."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class _DroppedConnection(Exception):
    """Raised inside a stream to make the server cut the connection mid-response."""


class ScriptedModel:
    """The script (a queue of responses) and the record of requests, shared across threads.

    ``default`` answers every request once the queue is empty; ``record=False`` keeps no
    request log (for long benchmark runs, where it would only grow). ``dialect`` picks which
    parameters the endpoint refuses (see :data:`Dialect`); a refused request is recorded but
    uses no scripted response.
    """

    def __init__(
        self, default: Reply | None = None, *, record: bool = True, dialect: Dialect = "modern"
    ) -> None:
        self.default = default
        self.dialect = dialect
        self._record = record
        self._queue: deque[Scripted] = deque()
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def enqueue(self, *responses: Scripted) -> None:
        """Answer the next requests with these responses, in order."""
        with self._lock:
            self._queue.extend(responses)

    def reset(self) -> None:
        """Forget the script and the recorded requests (one server can serve many tests)."""
        with self._lock:
            self._queue.clear()
            self._requests.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def pending(self) -> int:
        """How many scripted responses have not been used yet."""
        with self._lock:
            return len(self._queue)

    def _take(self, recorded: RecordedRequest) -> tuple[Scripted | Response | None, int]:
        with self._lock:
            if self._record:
                self._requests.append(recorded)
            refusal = _refusal(self.dialect, recorded.body)
            if refusal is not None:
                return refusal, 0
            response = self._queue.popleft() if self._queue else self.default
            return response, next(self._ids)

    def app(self) -> Starlette:
        """The Starlette app; both ``/v1/chat/completions`` and ``/chat/completions`` answer."""

        async def completions(request: Request) -> Response:
            try:
                body = msgspec.json.decode(await request.body())
            except msgspec.DecodeError:
                return _error(400, "The request body is not JSON.", retry=False)
            if not isinstance(body, dict):
                return _error(400, "The request body must be a JSON object.", retry=False)
            recorded = RecordedRequest(request.url.path, dict(request.headers), body)
            response, number = self._take(recorded)
            if response is None:
                return _error(400, "No scripted response is left.", retry=False)
            if isinstance(response, Response):
                return response
            if isinstance(response, Failure):
                return _failure(response)
            if response.first_byte_delay:
                await anyio.sleep(response.first_byte_delay)
            completion_id = f"chatcmpl-{number}"
            model = str(body.get("model", "scripted"))
            usage = _usage(body, response)
            if body.get("stream"):
                options = body.get("stream_options")
                wants_usage = isinstance(options, dict) and options.get("include_usage") is True
                return StreamingResponse(
                    _stream(response, completion_id, model, usage if wants_usage else None),
                    media_type="text/event-stream",
                )
            return JSONResponse(_completion(response, completion_id, model, usage))

        routes = [
            Route(path, completions, methods=["POST"])
            for path in ("/v1/chat/completions", "/chat/completions")
        ]
        return Starlette(routes=routes)


def _error(status: int, message: str, *, retry: bool, headers: dict[str, str] | None = None) -> Response:
    body = {"error": {"message": message, "type": "scripted_error", "code": str(status)}}
    all_headers = {"x-should-retry": "true" if retry else "false", **(headers or {})}
    return JSONResponse(body, status_code=status, headers=all_headers)


def _failure(failure: Failure) -> Response:
    headers = {}
    if failure.retry_after_ms is not None:
        headers["retry-after-ms"] = str(failure.retry_after_ms)
    retry = failure.status in (408, 409, 429) or failure.status >= 500
    return _error(failure.status, failure.message, retry=retry, headers=headers)


def _refusal(dialect: Dialect, body: dict[str, Any]) -> Response | None:
    """The 400 this dialect answers to ``body``, or ``None`` if it takes the request."""
    if dialect == "reasoning":
        if "max_tokens" in body:
            return _refused(
                "unsupported_parameter", "max_tokens",
                "Unsupported parameter: 'max_tokens' is not supported with this model. "
                "Use 'max_completion_tokens' instead.",
            )
        if "temperature" in body and body["temperature"] != 1:
            return _refused(
                "unsupported_value", "temperature",
                f"Unsupported value: 'temperature' does not support {body['temperature']} with "
                "this model. Only the default (1) value is supported.",
            )
    if dialect == "legacy":
        for name in ("max_completion_tokens", "stream_options"):
            if name in body:
                return _refused(None, None, f"Unrecognized request argument supplied: {name}")
    return None


def _refused(code: str | None, param: str | None, message: str) -> Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}
    return JSONResponse(body, status_code=400, headers={"x-should-retry": "false"})


def _usage(body: dict[str, Any], reply: Reply) -> dict[str, int]:
    """The reply's scripted usage, else deterministic "tokens": characters of prompt and answer."""
    if reply.usage is not None:
        prompt, completion = reply.usage
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
    messages = body.get("messages")
    prompt = sum(
        len(message["content"])
        for message in (messages if isinstance(messages, list) else [])
        if isinstance(message, dict) and isinstance(message.get("content"), str)
    )
    completion = len(reply.text)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def split_text(text: str, pieces: int) -> list[str]:
    """Split ``text`` into at most ``pieces`` non-empty parts of near-equal length."""
    if not text:
        return []
    count = max(1, min(pieces, len(text)))
    size, extra = divmod(len(text), count)
    parts, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        parts.append(text[start:end])
        start = end
    return parts


def _tool_call_deltas(reply: Reply) -> list[list[dict[str, Any]]]:
    """Each tool call as a list of delta pieces: id and name first, then argument pieces."""
    calls = []
    for index, call in enumerate(reply.tool_calls):
        head = {
            "index": index,
            "id": call.id or f"call_{index + 1}",
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        rest = [
            {"index": index, "function": {"arguments": piece}}
            for piece in split_text(call.arguments, reply.chunks)
        ]
        calls.append([head, *rest])
    return calls


def _ordered_tool_deltas(reply: Reply) -> list[dict[str, Any]]:
    calls = _tool_call_deltas(reply)
    if not reply.interleave_tool_calls:
        return [piece for call in calls for piece in call]
    rounds = itertools.zip_longest(*calls)
    return [piece for round_ in rounds for piece in round_ if piece is not None]


def _chunk(completion_id: str, model: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    chunk = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + msgspec.json.encode(chunk) + b"\n\n"


async def _stream(
    reply: Reply, completion_id: str, model: str, usage: dict[str, int] | None
) -> AsyncIterator[bytes]:
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
    deltas += [{"content": piece} for piece in split_text(reply.text, reply.chunks)]
    deltas += [{"tool_calls": [piece]} for piece in _ordered_tool_deltas(reply)]
    for number, delta in enumerate(deltas):
        if reply.drop_after_chunks is not None and number >= reply.drop_after_chunks:
            raise _DroppedConnection("scripted connection drop")
        if number and reply.delay:
            await anyio.sleep(reply.delay)
        yield _chunk(completion_id, model, delta)
    yield _chunk(completion_id, model, {}, "tool_calls" if reply.tool_calls else "stop")
    if usage is not None:  # as OpenAI sends it: one more chunk, no choices, the usage
        last = {"id": completion_id, "object": "chat.completion.chunk", "created": int(time.time()),
                "model": model, "choices": [], "usage": usage}
        yield b"data: " + msgspec.json.encode(last) + b"\n\n"
    yield b"data: [DONE]\n\n"


def _completion(reply: Reply, completion_id: str, model: str, usage: dict[str, int]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": call.id or f"call_{index + 1}",
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for index, call in enumerate(reply.tool_calls)
        ]
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if reply.tool_calls else "stop",
            }
        ],
        "usage": usage,
    }


@contextmanager
def running(model: ScriptedModel, host: str = "127.0.0.1", startup_timeout: float = 10.0) -> Iterator[str]:
    """Serve ``model`` from a background thread on a free port; yields the ``/v1`` base URL.

    The socket is bound before uvicorn starts, so there is no race for the port.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        model.app(), log_level="warning", lifespan="off", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the scripted OpenAI server did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tutorgpt_asgi.testing.openai_server",
        description="An OpenAI-compatible server that always streams the same answer.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--answer", default="This is a scripted answer from the test model.")
    parser.add_argument("--chunks", type=int, default=8, help="pieces the answer is split into")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between chunks")
    args = parser.parse_args(argv)
    if args.chunks < 1:
        parser.error("--chunks must be at least 1")
    if args.delay < 0:
        parser.error("--delay must not be negative")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Serve a fixed answer forever (the benchmarks' stand-in for a real model)."""
    args = _parse_args(argv)
    reply = Reply(text=args.answer, chunks=args.chunks, delay=args.delay)
    model = ScriptedModel(reply, record=False)
    uvicorn.run(model.app(), host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
