"""Which query words are common in the indexed book, so search can rank rare words first.

bm25 work grows with every chunk a query word matches: a word found in half the book makes
FTS5 score thousands of rows although such a word barely moves the ranking (its IDF is near
zero). The index therefore keeps the document frequency of its common stems, and search picks
candidate chunks with the rarer words only, then ranks those candidates with the full query.

Stems must be the ones FTS5's ``porter`` tokenizer produces, so query words are run through that
same tokenizer in a private in-memory SQLite database (microseconds, no disk, no extra package).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Mapping

#: A stem is common when at least this share of the chunks contain it...
COMMON_SHARE = 0.05
#: ...and at least this many: small books are fast enough to rank in full.
COMMON_MIN_CHUNKS = 500

TOKENIZE = "porter unicode61 remove_diacritics 2"


class Stemmer:
    """FTS5's tokenizer, applied to a handful of words at a time."""

    def __init__(self) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(f"CREATE VIRTUAL TABLE words USING fts5(word, tokenize = '{TOKENIZE}')")
        self._db.execute("CREATE VIRTUAL TABLE stems USING fts5vocab(words, 'instance')")
        self._lock = threading.Lock()

    def stems(self, words: Iterable[str]) -> dict[str, frozenset[str]]:
        return {word: frozenset(tokens) for word, tokens in self.tokens(words).items()}

    def tokens(self, words: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Each text's tokens (stems) in order: more than one makes it a phrase in FTS5."""
        ordered = list(words)
        found: dict[int, list[str]] = {}
        with self._lock:
            self._db.execute("DELETE FROM words")
            self._db.executemany("INSERT INTO words (rowid, word) VALUES (?, ?)", enumerate(ordered))
            for rowid, stem in self._db.execute("SELECT doc, term FROM stems ORDER BY doc, offset"):
                found.setdefault(rowid, []).append(stem)
        return {word: tuple(found.get(number, ())) for number, word in enumerate(ordered)}

    def close(self) -> None:
        self._db.close()


def common_words(words: Iterable[str], stemmer: Stemmer, common_stems: Mapping[str, int]) -> set[str]:
    """The words all of whose stems are common (a word may tokenize into several stems)."""
    if not common_stems:
        return set()
    return {
        word
        for word, stems in stemmer.stems(words).items()
        if stems and all(s in common_stems for s in stems)
    }


def common_threshold(chunk_count: int) -> int:
    return max(COMMON_MIN_CHUNKS, int(chunk_count * COMMON_SHARE))
