"""The conformance oracle: openai-chatkit 1.6.5's pydantic types, applied to what the server emits.

pydantic ignores unknown fields, so validation alone would let a misspelt optional field pass.
Each payload is therefore also dumped back (``exclude_none``, like the SDK) and compared with
what the server sent: a field the SDK does not know, or one it would write differently, fails.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from chatkit.types import Page, Thread, ThreadItem, ThreadStreamEvent
from pydantic import TypeAdapter

EVENT: TypeAdapter[Any] = TypeAdapter(ThreadStreamEvent)
THREAD: TypeAdapter[Any] = TypeAdapter(Thread)
ITEM: TypeAdapter[Any] = TypeAdapter(ThreadItem)
THREAD_PAGE: TypeAdapter[Any] = TypeAdapter(Page[Thread])
ITEM_PAGE: TypeAdapter[Any] = TypeAdapter(Page[ThreadItem])


def conform(adapter: TypeAdapter[Any], payload: Any) -> Any:
    """Validate ``payload`` (parsed JSON) and check the SDK would serialise it identically."""
    model = adapter.validate_python(payload)
    dumped = adapter.dump_python(model, mode="json", exclude_none=True)
    assert _same_times(dumped) == _same_times(payload), (
        f"differs from the SDK's form:\n sent: {payload}\n sdk:  {dumped}"
    )
    return model


def _same_times(value: Any) -> Any:
    """Timestamps compared as instants: ``…00.000000Z`` and ``…00Z`` are the same time."""
    if isinstance(value, dict):
        return {
            key: datetime.fromisoformat(item) if key == "created_at" else _same_times(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_same_times(item) for item in value]
    return value


def parse_sse(body: bytes) -> list[dict[str, Any]]:
    """Split a complete stream into events, checking the framing is exactly ``data: …\\n\\n``."""
    assert body.endswith(b"\n\n"), body[-200:]
    events = []
    for frame in body[:-2].split(b"\n\n"):
        assert frame.startswith(b"data: ") and b"\n" not in frame, frame[:200]
        events.append(msgspec.json.decode(frame[len(b"data: ") :]))
    return events


def conform_events(events: list[dict[str, Any]]) -> list[Any]:
    """Every event through :data:`EVENT`."""
    return [conform(EVENT, event) for event in events]
