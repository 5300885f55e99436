"""Turn records: what one answered question tells the author, gathered while the answer streams.

The ChatKit server feeds every responder event to a :class:`TurnMeter`; when the answer is saved,
the meter's :class:`TurnRecord` is written in the same write as the answer (no extra round trip,
nothing before the first delta). A record holds ids, the reader's place in the book, how the
answer relates to the book, timing and tokens: never a secret, an email or message text.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from tutorgpt_asgi.chatkit.responder import Grounding, ResponderEvent, TextDelta, Turn, Usage
from tutorgpt_asgi.clock import stored, utc_now
from tutorgpt_asgi.store.database import Transaction


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """One row of ``turn_records`` (see migrations 0005 and 0008 for the meaning of each column)."""

    item_id: str
    thread_id: str
    student_id: str
    answer_item_id: str | None
    part_id: str | None
    chapter_id: str | None
    lesson_id: str | None
    page_path: str | None
    searched_scope: str | None
    cited: bool
    not_in_book: bool
    follow_up: bool
    anchor: str | None
    first_delta_ms: int | None
    prompt_tokens: int
    completion_tokens: int
    model: str | None
    created_at: str


_COLUMNS = TurnRecord.__dataclass_fields__.keys()
#: An upsert both SQLite and PostgreSQL accept: a retried turn replaces its record.
_UPSERT = (
    f"INSERT INTO turn_records ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})"
    " ON CONFLICT (item_id) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in _COLUMNS if name != "item_id")
)


async def insert_turn(tx: Transaction, record: TurnRecord) -> None:
    """Write ``record`` inside the caller's transaction (the writer's batch)."""
    await tx.execute(
        _UPSERT,
        tuple(int(v) if isinstance(v, bool) else v for v in (getattr(record, c) for c in _COLUMNS)),
    )


class TurnMeter:
    """Watches one turn's responder events: first-delta time, tokens, grounding."""

    def __init__(self, turn: Turn, item_id: str, *, follow_up: bool, model: str | None) -> None:
        self._turn = turn
        self._item_id = item_id
        self._follow_up = follow_up
        self._model = model
        self._started = time.monotonic()
        self._created_at = stored(utc_now())
        self.first_delta_ms: int | None = None
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.grounding: Grounding | None = None

    def observe(self, event: ResponderEvent) -> None:
        """Take what the record needs from one event (cheap: runs for every delta)."""
        if isinstance(event, TextDelta):
            if self.first_delta_ms is None and event.text:
                self.first_delta_ms = round((time.monotonic() - self._started) * 1000)
        elif isinstance(event, Usage):
            self.prompt_tokens += max(event.prompt_tokens, 0)
            self.completion_tokens += max(event.completion_tokens, 0)
        elif isinstance(event, Grounding):
            self.grounding = event

    def record(self, answer_item_id: str | None) -> TurnRecord:
        """The turn's record; ``answer_item_id`` is ``None`` when no answer was given."""
        location = self._turn.context.location
        grounding = self.grounding or Grounding(scope=None, cited=False, not_in_book=False)
        return TurnRecord(
            item_id=self._item_id,
            thread_id=self._turn.thread_id,
            student_id=self._turn.context.student_id,
            answer_item_id=answer_item_id,
            part_id=location.part_id,
            chapter_id=location.current_chapter,
            lesson_id=location.current_lesson,
            page_path=location.page_path,
            searched_scope=grounding.scope,
            cited=grounding.cited,
            not_in_book=grounding.not_in_book,
            follow_up=self._follow_up,
            anchor=passage_anchor(self._turn, grounding),
            first_delta_ms=self.first_delta_ms,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            model=self._model,
            created_at=self._created_at,
        )


def passage_anchor(turn: Turn, grounding: Grounding) -> str | None:
    """Where the passage the reader quoted or highlighted is, if the turn was about one.

    The plugin's highlight anchor names the reader's own paragraph, so it wins; otherwise the
    responder's anchor (the book section its search matched to the quote).
    """
    location = turn.context.location
    if not (turn.quoted_text or location.highlighted_text):
        return None
    if location.highlight_anchor and location.page_path:
        return f"{location.page_path}#{location.highlight_anchor}"
    return grounding.anchor
