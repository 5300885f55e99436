"""A small async client for the ChatKit protocol: sessions, streamed turns, and their timings.

Why our own client and not wrk for these cases: wrk sees a whole response, while the chat-turn
target is about *when* the first text event arrives, and the concurrent-streams case needs a
thousand streams open at once with each one checked for a finished answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec

from bench.procs import BenchError

#: Seconds any one request or stream may take before the client gives up on it.
REQUEST_TIMEOUT = 60.0
TEXT_DELTA = "assistant_message.content_part.text_delta"


class ProtocolFailure(BenchError):
    """The server refused a request the benchmark needs (a session, a thread)."""


@dataclass(slots=True)
class TurnTiming:
    """One streamed turn as the client saw it (``time.monotonic_ns()`` values)."""

    started_ns: int
    first_byte_ns: int | None = None
    first_delta_ns: int | None = None
    done_ns: int | None = None
    thread_id: str | None = None
    finished: bool = False
    error: str | None = None


def session_body(number: int, prefix: str = "chat") -> dict[str, Any]:
    """A ``POST /session`` body for benchmark student ``<prefix><number>@bench.example``."""
    return {
        "page_path": "/docs/chapter-04/lesson-01-intro",
        "page_title": "Introduction to Python",
        "current_chapter": "04-python",
        "current_lesson": "01-intro",
        "student_email": f"{prefix}{number}@bench.example",
        "student_name": f"Chat Student {number}",
        "learning_level": "beginner",
    }


def client_ip(number: int) -> str:
    """A distinct 172.16.0.0/12 address per number (wrk's scripts use 10.0.0.0/8)."""
    return f"172.{16 + (number >> 16) % 16}.{(number >> 8) % 256}.{number % 256}"


def create_thread_body(text: str) -> bytes:
    """A ``threads.create`` request asking ``text``."""
    return msgspec.json.encode({
        "type": "threads.create",
        "params": {"input": {"content": [{"type": "input_text", "text": text}], "attachments": [],
                             "inference_options": {}}},
        "metadata": {},
    })


def add_message_body(thread_id: str, text: str) -> bytes:
    """A ``threads.add_user_message`` request asking ``text`` in ``thread_id``."""
    return msgspec.json.encode({
        "type": "threads.add_user_message",
        "params": {"thread_id": thread_id,
                   "input": {"content": [{"type": "input_text", "text": text}], "attachments": [],
                             "inference_options": {}}},
        "metadata": {},
    })


def get_thread_body(thread_id: str) -> bytes:
    """A ``threads.get_by_id`` request."""
    return msgspec.json.encode({"type": "threads.get_by_id", "params": {"thread_id": thread_id},
                                "metadata": {}})


async def create_sessions(
    client: httpx.AsyncClient, base_url: str, count: int, *, first: int = 0, prefix: str = "chat",
    concurrency: int = 32, address_offset: int = 0,
) -> list[str]:
    """``count`` sessions for distinct students from distinct addresses; their client secrets.

    ``address_offset`` shifts the addresses (not the students), so that runs sharing a Redis do
    not share its limit windows.
    """
    gate = asyncio.Semaphore(concurrency)

    async def one(number: int) -> str:
        async with gate:
            response = await client.post(
                f"{base_url}/session", json=session_body(number, prefix),
                headers={"X-Forwarded-For": client_ip(number + address_offset)},
            )
        if response.status_code != 201:
            raise ProtocolFailure(f"POST /session answered {response.status_code}: {response.text[:300]}")
        return str(response.json()["client_secret"])

    return list(await asyncio.gather(*(one(first + n) for n in range(count))))


def _read_event(frame: bytes, timing: TurnTiming) -> None:
    if not frame.startswith(b"data: "):
        return
    event = msgspec.json.decode(frame[6:])
    kind = event.get("type")
    if kind == "thread.created":
        timing.thread_id = event["thread"]["id"]
    elif kind == "thread.item.updated" and event.get("update", {}).get("type") == TEXT_DELTA:
        if timing.first_delta_ns is None:
            timing.first_delta_ns = time.monotonic_ns()
    elif kind == "thread.item.done" and event.get("item", {}).get("type") == "assistant_message":
        timing.finished = True
    elif kind == "error":
        timing.error = str(event.get("message") or event.get("code") or "error event")


async def stream_turn(client: httpx.AsyncClient, base_url: str, secret: str, body: bytes) -> TurnTiming:
    """Send one streaming request and read its events to the end of the response."""
    timing = TurnTiming(started_ns=time.monotonic_ns())
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    try:
        async with client.stream("POST", f"{base_url}/", content=body, headers=headers) as response:
            if response.status_code != 200:
                timing.error = f"HTTP {response.status_code}: {(await response.aread())[:200]!r}"
                return timing
            buffer = b""
            async for chunk in response.aiter_raw():
                if timing.first_byte_ns is None:
                    timing.first_byte_ns = time.monotonic_ns()
                buffer += chunk
                *frames, buffer = buffer.split(b"\n\n")
                for frame in frames:
                    _read_event(frame, timing)
    except httpx.HTTPError as error:
        timing.error = f"{type(error).__name__}: {error}".rstrip(": ")
    timing.done_ns = time.monotonic_ns()
    return timing


async def post_json(client: httpx.AsyncClient, base_url: str, secret: str, body: bytes) -> Any:
    """A non-streaming protocol request; its decoded JSON answer."""
    response = await client.post(
        f"{base_url}/", content=body,
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    if response.status_code != 200:
        raise ProtocolFailure(f"protocol request answered {response.status_code}: {response.text[:300]}")
    return response.json()


async def build_thread(client: httpx.AsyncClient, base_url: str, secret: str, items: int) -> str:
    """A thread of ``items`` items (a user message and an answer per turn); its id."""
    first = await stream_turn(client, base_url, secret, create_thread_body("What is a loop?"))
    if first.thread_id is None or not first.finished:
        raise ProtocolFailure(f"threads.create did not finish: {first.error}")
    for turn in range(1, items // 2):
        timing = await stream_turn(
            client, base_url, secret, add_message_body(first.thread_id, f"Follow-up question {turn}?")
        )
        if not timing.finished:
            raise ProtocolFailure(f"threads.add_user_message did not finish: {timing.error}")
    return first.thread_id


async def concurrent_turns(
    base_url: str, secrets: Sequence[str], text: str, *, timeout: float, silence: float = 30.0
) -> list[TurnTiming]:
    """One ``threads.create`` per secret, all at once; every stream is read to its end.

    A stream silent for ``silence`` seconds counts as failed (``ReadTimeout``); ``timeout``
    bounds the whole case.
    """
    limits = httpx.Limits(max_connections=len(secrets) + 8, max_keepalive_connections=len(secrets))
    async with httpx.AsyncClient(limits=limits, timeout=silence) as client:
        body = create_thread_body(text)
        return list(await asyncio.wait_for(
            asyncio.gather(*(stream_turn(client, base_url, secret, body) for secret in secrets)),
            timeout,
        ))
