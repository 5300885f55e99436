"""Server-sent events framing for the ChatKit stream.

The protocol uses the simplest SSE subset: one ``data: <compact JSON>`` line per event and a blank
line after it; no event names, ids, keep-alives or terminal sentinel, because the end of the HTTP
response is the end of the turn.
"""

from __future__ import annotations

from typing import Final

import msgspec

from tutorgpt_asgi.chatkit.types import StreamEvent

MEDIA_TYPE: Final = "text/event-stream"

#: Proxies (nginx, CDNs) buffer or compress streams unless told not to; the answer would then
#: arrive in one burst at the end instead of word by word.
HEADERS: Final = {
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",
}

_encoder = msgspec.json.Encoder()


def encode_event(event: StreamEvent) -> bytes:
    """One SSE frame for ``event``."""
    return b"data: " + _encoder.encode(event) + b"\n\n"
