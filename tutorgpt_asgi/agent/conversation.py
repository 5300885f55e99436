"""The model input for a turn: instructions, the newest earlier messages that fit, the question.

Why a character budget: history is the part of the prompt that grows without bound, and
characters are a cheap, model-independent stand-in for tokens. The newest messages matter most
for a follow-up question, so the oldest are dropped first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tutorgpt_asgi.chatkit.responder import HistoryMessage, Turn


def user_content(text: str, quoted_text: str | None) -> str:
    """The user's message with the passage they quoted (ChatKit's reply-to text) in front."""
    if not quoted_text or not quoted_text.strip():
        return text
    quoted = "\n".join(f"> {line}" for line in quoted_text.strip().splitlines())
    return f"The student quotes this passage:\n{quoted}\n\n{text}"


def history_messages(history: Sequence[HistoryMessage], budget_chars: int) -> list[dict[str, Any]]:
    """The newest earlier messages whose text fits in ``budget_chars``, oldest first."""
    kept: list[dict[str, Any]] = []
    used = 0
    for message in reversed(history):
        content = (
            user_content(message.text, message.quoted_text)
            if message.role == "user"
            else message.text
        )
        if not content.strip():
            continue
        used += len(content)
        if used > budget_chars:
            break
        kept.append({"role": message.role, "content": content})
    kept.reverse()
    return kept


def build_messages(turn: Turn, instructions: str, budget_chars: int) -> list[dict[str, Any]]:
    """System instructions, the history that fits, then this turn's question."""
    return [
        {"role": "system", "content": instructions},
        *history_messages(turn.history, budget_chars),
        {"role": "user", "content": user_content(turn.user_text, turn.quoted_text)},
    ]
