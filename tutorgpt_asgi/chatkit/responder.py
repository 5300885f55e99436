"""The interface between the ChatKit server and whatever answers a turn (the TutorGPT agent).

The server owns the wire format, item ids, persistence and saving partial answers; a responder
only yields these small events, so the agent never needs to know ChatKit's event shapes:

- :class:`Progress` becomes a ``progress_update`` event (transient, not stored);
- :class:`TextDelta` becomes a text delta of the assistant message (opened on the first one);
- :class:`Citation` becomes a ``url`` annotation at the current offset of the answer's text;
- :class:`Notice` becomes a ``notice`` event;
- :class:`Usage` (tokens a model call used) and :class:`Grounding` (what was searched, whether
  the answer cited the book or found nothing) are not shown; the server records them with the
  turn for the author's report;
- raising :class:`ResponderError` ends the turn with an in-band ``error`` event whose message the
  reader sees; any other exception ends it with a generic, retryable ``error`` event.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from tutorgpt_asgi.sessions.context import PageContext


@dataclass(frozen=True, slots=True)
class Progress:
    """A transient status line, e.g. "Searching the book…"."""

    text: str
    icon: str = "search"


@dataclass(frozen=True, slots=True)
class TextDelta:
    """The next piece of the answer's text."""

    text: str


@dataclass(frozen=True, slots=True)
class Citation:
    """A source the answer cites, placed at the answer's current text offset."""

    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Notice:
    """A banner the widget shows above the composer."""

    message: str
    level: Literal["info", "warning", "danger"] = "info"
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens one model call used, as the model server reported them (not shown to the reader)."""

    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True, slots=True)
class Grounding:
    """How the answer relates to the book, for the author's report (the reader never sees it).

    ``scope`` is the scope last searched (``None``: no search ran); ``cited``: the answer cites
    a passage; ``not_in_book``: the tutor searched and found nothing it could answer from;
    ``anchor``: the book URL (page and section anchor) of the passage the reader's quote or
    highlight matched, if any.
    """

    scope: str | None
    cited: bool
    not_in_book: bool
    anchor: str | None = None


ResponderEvent = Progress | TextDelta | Citation | Notice | Usage | Grounding


class ResponderError(Exception):
    """Ends a turn with an error the reader understands (e.g. "The tutor is busy, try again")."""

    def __init__(self, user_message: str, *, allow_retry: bool = True) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.allow_retry = allow_retry


@dataclass(frozen=True, slots=True)
class HistoryMessage:
    """One earlier message of the thread, as plain text."""

    role: Literal["user", "assistant"]
    text: str
    quoted_text: str | None = None


@dataclass(frozen=True, slots=True)
class TurnContext:
    """Who is asking and where they are in the book right now."""

    session_id: str
    student_id: str
    student_name: str | None
    learning_level: str
    location: PageContext


@dataclass(frozen=True, slots=True)
class Turn:
    """Everything a responder needs to answer one user message."""

    thread_id: str
    user_text: str
    quoted_text: str | None
    context: TurnContext
    history: Sequence[HistoryMessage] = field(default_factory=tuple)


class Responder(Protocol):
    """Answers turns. The shipped default is the offline tutor; with a model, the agent."""

    def respond(self, turn: Turn) -> AsyncGenerator[ResponderEvent, None]:
        """Yield the events of the answer to ``turn.user_text``.

        An async generator (not just an iterator): the server closes it when the reader leaves.
        """
        ...

    async def title(self, turn: Turn) -> str:
        """A short title for a thread whose first turn is ``turn``."""
        ...
