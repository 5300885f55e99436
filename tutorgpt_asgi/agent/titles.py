"""Thread titles: a tiny prompt for the model, and the shortened question without one."""

from __future__ import annotations

from typing import Final

from tutorgpt_asgi.agent.instructions import inline

#: Titles longer than this are cut at a word boundary (the history list is narrow).
TITLE_MAX_CHARS: Final = 60

TITLE_PROMPT: Final = (
    "Write a title of at most six words for a tutoring conversation that starts with the "
    "student's message below. Reply with the title only: no quotes, no final punctuation."
)

_QUOTES: Final = " \"'“”‘’`"
_TRIM: Final = _QUOTES + "*#.:;!?-"


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(_TRIM) + "…"


def shorten_question(question: str) -> str:
    """The question on one line, cut at a word boundary: the offline tutor's title."""
    text = inline(question, "").strip(_QUOTES)
    return _cut(text, TITLE_MAX_CHARS) if text else "New conversation"


def clean_title(text: str) -> str:
    """A model's title without quotes, markdown, extra lines or trailing punctuation."""
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    title = inline(first_line, "").strip(_TRIM)
    if title.lower().startswith("title:"):
        title = title[len("title:") :].strip(_TRIM)
    return _cut(title, TITLE_MAX_CHARS)
