"""The scripted OpenAI-compatible server, plus the moment each streamed answer's first text left it.

Why: the chat-turn target is the latency *we add* between the model's first chunk and our
first text event. The scripted server (``tutorgpt_asgi.testing.openai_server``) knows when it
sends; this wrapper records that time (``time.monotonic_ns()``, one clock for all processes on
the machine) for every streaming completion and serves the records at ``GET /bench/marks``,
which also clears them. The benchmark client compares them with its own receive times.

Run: ``python -m bench.model_server --port N [--answer TEXT] [--chunks 8] [--delay 0.0]``.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import deque
from collections.abc import Sequence
from typing import Any

import msgspec
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tutorgpt_asgi.testing.openai_server import Reply, ScriptedModel

#: A streamed chunk that carries answer text (the first chunk only announces the role).
_CONTENT = re.compile(rb'"content":"[^"]')
#: Keep at most this many marks between two reads.
MAX_MARKS = 100_000


class Mark(msgspec.Struct):
    """One streaming completion: when its request arrived, its first text left, and it ended."""

    received_ns: int
    first_content_ns: int | None
    done_ns: int | None
    tools: bool


class MarkingApp:
    """ASGI wrapper that timestamps streamed completions and serves the marks."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.marks: deque[Mark] = deque(maxlen=MAX_MARKS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == "/bench/marks":
            await self._serve_marks(send)
            return
        mark = Mark(time.monotonic_ns(), None, None, tools=False)
        body = bytearray()

        async def receive_body() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(body) < 1_000_000:
                body.extend(message.get("body", b""))
            return message

        streaming = False

        async def send_marked(message: Message) -> None:
            nonlocal streaming
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                streaming = headers.get(b"content-type", b"").startswith(b"text/event-stream")
            elif streaming and message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                if mark.first_content_ns is None and _CONTENT.search(chunk):
                    mark.first_content_ns = time.monotonic_ns()
                if not message.get("more_body", False):
                    mark.done_ns = time.monotonic_ns()
            await send(message)

        await self.app(scope, receive_body, send_marked)
        if streaming:
            mark.tools = b'"tools"' in body
            self.marks.append(mark)

    async def _serve_marks(self, send: Send) -> None:
        payload = msgspec.json.encode(list(self.marks))
        self.marks.clear()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": payload})


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.model_server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--answer", default="Loops repeat a block; see the section on for loops.")
    parser.add_argument("--chunks", type=int, default=8)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between chunks")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the fixed answer with marks until terminated."""
    args = _parse_args(argv)
    model = ScriptedModel(Reply(text=args.answer, chunks=args.chunks, delay=args.delay), record=False)
    app: Any = MarkingApp(model.app())
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                lifespan="off")


if __name__ == "__main__":
    main()
