"""A scripted Responder for tests: answers from a script function and records every turn.

The default script echoes the question, so answers depend on the input instead of being fixed.
Flags are ``threading.Event``s because the served app runs on uvicorn in another thread.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncGenerator, Callable

import anyio

from tutorgpt_asgi.chatkit.responder import (
    Citation,
    Notice,
    Progress,
    ResponderError,
    ResponderEvent,
    TextDelta,
    Turn,
)

Script = Callable[[Turn], AsyncGenerator[ResponderEvent, None]]
BOOK_URL = "https://book.example.com/docs/chapter-01/lesson-02#loops"


async def echo(turn: Turn) -> AsyncGenerator[ResponderEvent, None]:
    """Progress, then an answer that quotes the question and cites one section."""
    yield Progress("Searching the book…", "book-open")
    yield TextDelta("You asked: ")
    yield TextDelta(turn.user_text)
    yield Citation("Lesson 2: Loops", BOOK_URL)
    yield TextDelta(" See the lesson.")


async def with_notice(turn: Turn) -> AsyncGenerator[ResponderEvent, None]:
    yield Notice("Answers use the book only.", "info", "Heads up")
    yield TextDelta(f"About {turn.user_text}")


async def fails_politely(turn: Turn) -> AsyncGenerator[ResponderEvent, None]:
    yield TextDelta("Partly ")
    raise ResponderError("The tutor is busy, try again in a minute.", allow_retry=True)


async def crashes(turn: Turn) -> AsyncGenerator[ResponderEvent, None]:
    yield Progress("Thinking…")
    raise RuntimeError("model exploded")


class ScriptedResponder:
    """The Responder interface, driven by a script; see the module docstring."""

    def __init__(self, script: Script = echo) -> None:
        self.script = script
        self.turns: list[Turn] = []
        self.started = threading.Event()
        self.closed = threading.Event()
        self.release = threading.Event()

    async def respond(self, turn: Turn) -> AsyncGenerator[ResponderEvent, None]:
        self.turns.append(turn)
        self.started.set()
        try:
            async for event in self.script(turn):
                yield event
        finally:
            self.closed.set()

    async def title(self, turn: Turn) -> str:
        return f"On {turn.user_text[:40]}"

    async def stall(self, turn: Turn) -> AsyncGenerator[ResponderEvent, None]:
        """A script that streams a little, then waits (bounded) as a slow model would."""
        yield TextDelta("The first half ")
        yield TextDelta("of an answer")
        with anyio.move_on_after(20):
            while not self.release.is_set():
                await anyio.sleep(0.02)
        yield TextDelta(" and the rest.")
