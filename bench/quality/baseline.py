"""The reference every figure is compared with: plain BM25 over the book's sections.

One row per section (its heading path and text in one column), SQLite FTS5's ``bm25()`` with its
standard k1 = 1.2 and b = 0.75, the query's words OR-ed after a small stop list. No field
weights, no candidate stage, no expansion: what anyone gets from a textbook BM25 on the same
book, built in memory from the same parsed pages the index reads.
"""

from __future__ import annotations

import re
import sqlite3

from tutorgpt_asgi.book.model import Book

_WORD = re.compile(r"\w+")
_STOP = frozenset(
    "a an and are as at be by can do does for from how i in is it my of on or that the this to "
    "what when where which who why with you your".split()
)


class PlainBM25:
    """Sections of ``book`` in an in-memory FTS5 table, ranked by plain bm25."""

    def __init__(self, book: Book) -> None:
        self._db = sqlite3.connect(":memory:")
        self._db.execute("CREATE VIRTUAL TABLE sections USING fts5(permalink UNINDEXED, text, tokenize = 'porter')")
        rows = [
            (page.permalink, " ".join(section.heading_path) + "\n" + section.text)
            for page in book.pages
            for section in page.sections
        ]
        self._db.executemany("INSERT INTO sections VALUES (?, ?)", rows)

    def search(self, question: str, k: int = 10) -> list[str]:
        """Permalinks of the top ``k`` sections (a page may appear more than once)."""
        words = [word for word in dict.fromkeys(_WORD.findall(question.lower())) if word not in _STOP]
        if not words:
            return []
        query = " OR ".join(f'"{word}"' for word in words)
        rows = self._db.execute(
            "SELECT permalink FROM sections WHERE sections MATCH ? ORDER BY bm25(sections) LIMIT ?", (query, k)
        )
        return [permalink for (permalink,) in rows]

    def close(self) -> None:
        self._db.close()
