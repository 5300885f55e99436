"""How much of a question a search hit covers: the share of its search words in the section.

The book search ORs the question's words, so bm25 alone cannot tell "the book answers this"
from "the book shares one rare word with it". Coverage can: each search word is matched with
FTS5 itself (same tokenizer and stemming as the index), one small query per word for all
candidate sections at once. It lives here because it reads the index's own tables.
"""

from __future__ import annotations

from collections.abc import Sequence

from tutorgpt_asgi.book.index import BookIndex
from tutorgpt_asgi.book.query import terms
from tutorgpt_asgi.book.search import SearchHit

_MATCHING_SECTIONS = """
SELECT DISTINCT c.doc_id, c.anchor
FROM chunks_fts JOIN chunks AS c ON c.id = chunks_fts.rowid
WHERE chunks_fts MATCH ? AND c.doc_id IN ({placeholders})
"""


async def coverage(book: BookIndex, question: str, hits: Sequence[SearchHit]) -> list[float]:
    """For each hit, the share (0–1) of ``question``'s search words its section contains."""
    words = terms(question)
    if not words or not hits:
        return [0.0 for _ in hits]
    doc_ids = sorted({hit.doc_id for hit in hits})
    sql = _MATCHING_SECTIONS.format(placeholders=", ".join("?" for _ in doc_ids))
    found = {(hit.doc_id, hit.anchor): 0 for hit in hits}
    for word in words:
        rows = await book.fetchall(sql, [f'"{word}"', *doc_ids])
        for doc_id, anchor in rows:
            if (doc_id, anchor) in found:
                found[(doc_id, anchor)] += 1
    return [found[(hit.doc_id, hit.anchor)] / len(words) for hit in hits]
