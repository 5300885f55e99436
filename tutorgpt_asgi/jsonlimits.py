"""A cheap nesting-depth check that runs on untrusted JSON before any parser sees it.

A JSON parser recurses once per nesting level, so about a thousand ``[`` in a 2 KB body used to
end in ``RecursionError`` (a 500, a traceback in the log) before any rate limit applied. No
request TutorGPT serves nests deeper than a handful of levels, so anything deeper than
:data:`MAX_JSON_DEPTH` is refused up front. Written by hand because no parser we use exposes a
depth limit; the scan stays in C-speed ``bytes`` operations (no per-byte Python loop).
"""

from __future__ import annotations

import re
from typing import Final

#: Deepest nesting of arrays and objects accepted anywhere (bodies, metadata, the context header).
MAX_JSON_DEPTH: Final = 64

# A JSON string (the "unrolled loop" form is linear and never backtracks); brackets inside
# strings are text, not nesting.
_STRING: Final = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS: Final = bytes(byte for byte in range(256) if byte not in b"[]{}")


def too_deep(document: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """``True`` if ``document`` nests arrays/objects deeper than ``limit`` (or cannot be JSON).

    Fast path: with at most ``limit`` opening brackets in all, the depth cannot exceed it.
    Otherwise strings are blanked, everything but brackets dropped, and innermost pairs removed
    one level per pass; brackets left after ``limit`` passes are nested too deep (or unbalanced,
    which no parser would accept either).
    """
    if document.count(b"[") + document.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", document).translate(None, _NOT_BRACKETS)
    for _ in range(limit):
        if not brackets:
            return False
        reduced = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if reduced == brackets:
            return True  # unbalanced: not JSON, and not worth handing to a recursive parser
        brackets = reduced
    return bool(brackets)
