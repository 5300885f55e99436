"""The tutor's system instructions, rebuilt on every turn from where the reader is now.

The contract's TutorGPT text stays as the user wrote it, but its placeholders for what the
reader supplied (name, chapter, lesson, page) point into the reader-data fence (``fence.py``):
every reader-supplied value (also titles, the highlight and the paragraph around it) reaches the
model only there. Only the learning level, one of three validated words, is written inline.
"""

from __future__ import annotations

import re
from typing import Any, Final

from tutorgpt_asgi.agent.fence import fence, new_fence_token
from tutorgpt_asgi.chatkit.responder import TurnContext

#: The name used when neither TUTORGPT_BOOK_TITLE nor the export's site title is known.
BOOK_TITLE: Final = "this book"

#: Longest value kept for a one-line field; longer values are cut (they are ids and paths).
INLINE_MAX_CHARS: Final = 200

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")

LEVEL_GUIDANCE: Final[dict[str, str]] = {
    "beginner": (
        "The student is a beginner: use plain words, define each technical term the first "
        "time you use it, go in small steps and give one everyday analogy."
    ),
    "intermediate": (
        "The student is intermediate: assume the basics, be concise, and show a short code "
        "example when it helps."
    ),
    "advanced": (
        "The student is advanced: be precise and dense, mention trade-offs and edge cases, "
        "and skip introductory explanations."
    ),
}

#: The location fields the model sees (all inside the fence); ids and URLs it needs no more of.
_LOCATION_FIELDS: Final = (
    "page_path",
    "page_title",
    "part_title",
    "current_chapter",
    "chapter_title",
    "current_lesson",
    "lesson_title",
    "highlighted_text",
    "highlight_context",
    "version",
)


def inline(value: str | None, missing: str = "unknown") -> str:
    """One line of untrusted text: control characters and line breaks become spaces."""
    if not value:
        return missing
    flat = " ".join(_CONTROL.sub(" ", value).split())
    if len(flat) > INLINE_MAX_CHARS:
        flat = flat[: INLINE_MAX_CHARS - 1] + "…"
    return flat or missing


def reader_data(context: TurnContext) -> dict[str, Any]:
    """Everything the reader supplied that the model may see, by name; empty values left out."""
    data: dict[str, Any] = {"student_name": context.student_name} if context.student_name else {}
    location = context.location
    data.update({name: getattr(location, name) for name in _LOCATION_FIELDS if getattr(location, name)})
    return data


def _see(data: dict[str, Any], *names: str, missing: str = "unknown") -> str:
    """A pointer into the reader data for the contract's placeholders."""
    present = [f'"{name}"' for name in names if name in data]
    return f"see {' and '.join(present)} in the reader data below" if present else missing


def build_instructions(
    context: TurnContext, *, token: str | None = None, book_title: str | None = None
) -> str:
    """The full system message for one turn: contract text, reader data and answer guidance.

    ``book_title`` is the book's own name (the ``book_title`` setting or the export's site title).
    """
    data = reader_data(context)
    highlight_line = (
        f"\n- Highlighted Text: {_see(data, 'highlighted_text')}" if "highlighted_text" in data else ""
    )
    contract_text = (
        f"You are TutorGPT, an AI tutor for {_book_name(book_title)}.\n"
        "\n"
        "Student Context:\n"
        f"- Name: {_see(data, 'student_name', missing='not given')}\n"
        f"- Level: {inline(context.learning_level)}\n"
        f"- Current Location: {_see(data, 'current_chapter', 'current_lesson')}\n"
        f"- Page: {_see(data, 'page_path', 'page_title')}"
        f"{highlight_line}\n"
        "\n"
        "Your role is to help students understand the book content through:\n"
        "1. Answering questions clearly at their level\n"
        "2. Searching book content when needed\n"
        "3. Providing examples and analogies\n"
        "4. Adapting to their learning pace\n"
        "\n"
        "Always be encouraging, patient, and precise."
    )
    parts = [contract_text]
    if data:
        parts.append(fence("Reader data.", data, token or new_fence_token()))
    parts.append(_guidance(context.learning_level))
    return "\n\n".join(parts)


def _book_name(title: str | None) -> str:
    """The contract's "an AI tutor for <book>", with this book's own name."""
    cleaned = inline(title, "") if title else ""
    return cleaned or BOOK_TITLE


def _guidance(level: str) -> str:
    level_text = LEVEL_GUIDANCE.get(level, LEVEL_GUIDANCE["beginner"])
    return (
        "How to answer:\n"
        "- Ground answers about the book in search_book_content. For questions about the "
        "highlighted text or this page, search the current lesson first, then widen the scope.\n"
        "- Cite the sections you used with the number of the search result in brackets, "
        "e.g. [1], or with a markdown link to its URL exactly as the result gives it. Only "
        "cite URLs that appear in search results; never invent or alter a link.\n"
        "- When a search result says weak_match, the book does not cover the question: say "
        "plainly that the book does not cover it and cite nothing (no [number], no link). You "
        "may then add a short answer from general knowledge, marked as not from the book.\n"
        f"- {level_text}"
    )
