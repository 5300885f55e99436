"""The part of a search hit the offline tutor quotes: compact, and Markdown that still renders.

A search snippet is a 32-token window flattened to one line: fine for a model, unreadable as an
answer when it cuts through code ("async def run_agent(…) -> str: history = …") or leaves a
backtick open. The offline tutor quotes whole blocks instead: the block of the passage that
holds most of the question's words, and a code block next to it when there is one, each code
block fenced as in the book (long ones cut at a line, the fence closed), tables and lists line by
line, prose cut at a sentence.
"""

from __future__ import annotations

import re
from typing import Final

from tutorgpt_asgi.book.chunking import split_blocks

#: Words of prose quoted from one passage at most (a code block's lines are counted apart).
PROSE_WORDS: Final = 90
#: Lines of one code block quoted at most.
CODE_LINES: Final = 14

_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")
#: Blocks whose line breaks carry meaning: tables and lists.
_LINED = re.compile(r"\||[-*+] |\d+[.)] ")
_RULE = re.compile(r"\|?\s*:?-{3,}")


def _is_code(block: str) -> bool:
    return block.lstrip().startswith(("```", "~~~"))


def _stem(word: str) -> str:
    """A crude prefix stem: enough to find the block that mentions a word's forms."""
    return word[: max(4, len(word) - 2)]


def _score(block: str, stems: set[str]) -> int:
    found = {_stem(word) for word in _WORD.findall(block.lower())}
    return sum(1 for stem in stems if any(other.startswith(stem) for other in found))


def _code(block: str) -> str:
    lines = block.strip().split("\n")
    fence = re.match(r"[`~]{3,}", lines[0].strip())
    marker = fence.group(0) if fence else "```"
    body = lines[1:-1] if len(lines) > 1 and lines[-1].strip().startswith(marker) else lines[1:]
    if len(body) > CODE_LINES:
        body = [*body[:CODE_LINES], "# …"]
    return "\n".join([lines[0].strip(), *body, marker])


def _lines(block: str) -> str:
    """A table or a list keeps its lines (joined into one, it would no longer render)."""
    lines = block.strip().split("\n")
    if lines[0].startswith("|") and len(lines) > 1 and not _RULE.match(lines[1]):
        # The index keeps a table's rows but not its |---| rule, without which it is no table.
        lines.insert(1, "|" + " --- |" * max(1, lines[0].strip().strip("|").count("|") + 1))
    return "\n".join(lines[:CODE_LINES] + (["…"] if len(lines) > CODE_LINES else []))


def _prose(block: str, words: int) -> str:
    """Whole sentences up to ``words``; an inline code span is never left open."""
    kept: list[str] = []
    count = 0
    for sentence in _SENTENCE_END.split(" ".join(block.split())):
        size = len(sentence.split())
        if kept and count + size > words:
            kept.append("…")
            break
        kept.append(sentence)
        count += size
    text = " ".join(kept)
    if text.count("`") % 2:
        text = text[: text.rfind("`")].rstrip() + " …"
    return text


def excerpt(text: str, question_words: list[str]) -> str:
    """The best block of ``text`` for ``question_words``, with its neighbouring code block."""
    blocks = [block for block in split_blocks(text) if block.strip()]
    if not blocks:
        return ""
    stems = {_stem(word.lower()) for word in question_words}
    best = max(range(len(blocks)), key=lambda i: (_score(blocks[i], stems), -i))
    chosen = [best]
    if not _is_code(blocks[best]):
        if best + 1 < len(blocks) and _is_code(blocks[best + 1]):
            chosen.append(best + 1)
    elif best > 0 and not _is_code(blocks[best - 1]):
        chosen.insert(0, best - 1)
    parts = [
        _code(blocks[i]) if _is_code(blocks[i])
        else _lines(blocks[i]) if _LINED.match(blocks[i].lstrip())
        else _prose(blocks[i], PROSE_WORDS)
        for i in chosen
    ]
    return "\n\n".join(part for part in parts if part)
