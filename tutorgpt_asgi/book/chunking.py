"""Cut sections into search chunks of about 300–500 words with a small overlap.

A chunk never starts or ends inside a block: a code fence, a table or a list always stays whole
(a block bigger than the limit becomes a chunk on its own), and only plain paragraphs are cut at
sentence ends when one is too long. Each chunk repeats the tail of the previous one (up to
``OVERLAP_WORDS``, whole sentences of a prose block) so an answer that straddles the cut is still
found in one piece.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Page, Section

TARGET_WORDS = 400
MAX_WORDS = 500
OVERLAP_WORDS = 50

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True, slots=True)
class Chunk:
    doc_id: str
    ordinal: int  # position in the page, from 0
    anchor: str | None
    heading_path: tuple[str, ...]
    text: str


def split_blocks(text: str) -> list[str]:
    """Blank-line separated blocks; a fenced code block is one block even with blank lines."""
    blocks: list[str] = []
    current: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        stripped = line.strip()
        if fence is None and stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif fence is not None and stripped.startswith(fence) and stripped.strip(fence[0]) == "":
            fence = None
            current.append(line)
            continue
        if fence is None and not stripped:
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def _is_prose(block: str) -> bool:
    return not block.lstrip().startswith(("```", "~~~", "|", "- "))


def _words(text: str) -> int:
    return len(text.split())


def _pieces(block: str) -> list[str]:
    """A prose block too long for one chunk is cut at sentence ends; others stay whole."""
    if _words(block) <= MAX_WORDS or not _is_prose(block):
        return [block]
    pieces: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in _SENTENCE_END.split(block):
        size = _words(sentence)
        if current and count + size > TARGET_WORDS:
            pieces.append(" ".join(current))
            current, count = [], 0
        current.append(sentence)
        count += size
    if current:
        pieces.append(" ".join(current))
    return pieces


def _overlap(block: str) -> str | None:
    """The tail of a prose block (whole sentences, at most OVERLAP_WORDS) to repeat."""
    if not _is_prose(block):
        return None
    tail: list[str] = []
    count = 0
    for sentence in reversed(_SENTENCE_END.split(block)):
        size = _words(sentence)
        if count + size > OVERLAP_WORDS:
            break
        tail.insert(0, sentence)
        count += size
    return " ".join(tail) or None


def chunk_section(section: Section) -> list[str]:
    """The texts of one section's chunks (one chunk for a section up to MAX_WORDS)."""
    if _words(section.text) <= MAX_WORDS:
        return [section.text]
    pieces = [piece for block in split_blocks(section.text) for piece in _pieces(block)]
    chunks: list[str] = []
    current: list[str] = []
    count = 0
    fresh = 0  # pieces in ``current`` that are not overlap
    for piece in pieces:
        size = _words(piece)
        if fresh and count + size > TARGET_WORDS:
            chunks.append("\n\n".join(current))
            tail = _overlap(current[-1])
            current = [tail] if tail else []
            count = _words(tail) if tail else 0
            fresh = 0
        current.append(piece)
        count += size
        fresh += 1
    if fresh:
        chunks.append("\n\n".join(current))
    return chunks


def chunk_page(page: Page) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in page.sections:
        for text in chunk_section(section):
            chunks.append(Chunk(page.doc_id, len(chunks), section.anchor, section.heading_path, text))
    return chunks
