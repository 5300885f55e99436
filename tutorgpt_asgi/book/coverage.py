"""How much of a question a search hit covers, and the one rule that calls a result weak.

The book search ORs the question's words, so bm25 alone cannot tell "the book answers this"
from "the book shares one common word with it": an off-book question always gets confident
hits. Coverage can: it is the share of the question's words that a passage contains, each word
weighted by its IDF in the book, so "tungsten" (in no chunk) weighs far more than "point" (in
many). A word the book never uses counts at full weight: the book cannot cover a topic it never
names. Words are compared by their FTS5 stems (the index's own tokenizer), and a passage's words
are the ones FTS5 itself marked with ``highlight()``, so coverage agrees with what matched.

The same rule (:func:`needed_coverage`) decides the search tool's ``weak_match`` and the offline
tutor's refusals. The share needed grows with the book: a big book holds more of any question's
everyday words by chance (off-book questions reached 0.22 on the 45-chunk example book and 0.46
on Django's 3 600-chunk docs, while in-book ones went down to 0.22 and 0.52), so the bar rises
from ``SMALL_BOOK_COVERAGE`` to ``LARGE_BOOK_COVERAGE`` with the log of the chunk count. Figures
from ``python -m bench.quality``; see ``bench/README.md``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: The coverage a passage needs in a book of at most ``SMALL_BOOK_CHUNKS`` chunks...
SMALL_BOOK_COVERAGE, SMALL_BOOK_CHUNKS = 0.4, 100
#: ...rising to this in books of ``LARGE_BOOK_CHUNKS`` chunks or more.
LARGE_BOOK_COVERAGE, LARGE_BOOK_CHUNKS = 0.5, 2000
#: highlight() markers: control characters that never occur in indexed text.
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"
_MARKED = re.compile(f"{MARK_OPEN}(.*?){MARK_CLOSE}", re.DOTALL)
_MARKS = re.compile(f"[{MARK_OPEN}{MARK_CLOSE}]")


@dataclass(frozen=True, slots=True)
class QuestionWeights:
    """Each search word of a question as its stems and its IDF weight in the book."""

    words: tuple[tuple[frozenset[str], float], ...]
    #: The coverage a passage needs in this book to count as covering the question.
    needed: float = LARGE_BOOK_COVERAGE

    @property
    def stems(self) -> set[str]:
        return {stem for stems, _ in self.words for stem in stems}

    def coverage(self, matched: set[str]) -> float:
        """The weighted share (0–1) of the words with a stem among ``matched``."""
        total = sum(weight for _, weight in self.words)
        if not total:
            return 0.0
        covered = sum(weight for stems, weight in self.words if stems & matched)
        return round(covered / total, 3)


def idf(chunks: int, frequency: int) -> float:
    """bm25's IDF (never negative): a word in no chunk weighs the most."""
    return math.log(1.0 + (chunks - frequency + 0.5) / (frequency + 0.5))


def question_weights(
    stems: Mapping[str, frozenset[str]], frequencies: Mapping[str, int], chunks: int
) -> QuestionWeights:
    """Weights for the words ``stems`` maps (word → its stems), from chunk frequencies."""
    words = []
    for word_stems in stems.values():
        if not word_stems:
            continue
        rarest = min(frequencies.get(stem, 0) for stem in word_stems)
        words.append((word_stems, idf(max(chunks, 1), rarest)))
    return QuestionWeights(tuple(words), needed_coverage(chunks))


def marked_words(texts: Iterable[str]) -> set[str]:
    """The words FTS5 marked as matches in highlighted ``texts``, lower case."""
    return {word.lower() for text in texts for word in _MARKED.findall(text or "")}


def unmark(text: str | None) -> str:
    return _MARKS.sub("", text or "")


def needed_coverage(chunks: int) -> float:
    """The rule: a passage covers a question when its coverage reaches this; a search result
    with no such passage is ``weak_match``."""
    span = math.log(LARGE_BOOK_CHUNKS / SMALL_BOOK_CHUNKS)
    position = math.log(max(chunks, 1) / SMALL_BOOK_CHUNKS) / span
    share = min(1.0, max(0.0, position))
    return round(SMALL_BOOK_COVERAGE + share * (LARGE_BOOK_COVERAGE - SMALL_BOOK_COVERAGE), 3)
