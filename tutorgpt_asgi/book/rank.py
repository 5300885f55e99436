"""bm25 for a question's common words, computed in Python from statistics stored at index time.

Why: a student's question mixes rare words ("dilkavo") with words found in thousands of chunks
("model", "state"). Candidates come from the rare words (see :mod:`.query`), but when FTS5 ranks
them with the whole question, its ``bm25()`` counts every row holding each common word (for the
IDF) and walks all their matches: 7–9 ms of a ~12 ms search on an 18 000-chunk book. bm25 is a
sum over the query's phrases, so FTS5 still ranks the candidates on the rest of the question
(few matches, cheap) and the common words' share is added here from:

- their chunk frequencies (the IDF), which the index already keeps (``common_terms``);
- their per-column counts in each candidate (``common_postings``, written at index time from
  FTS5's own ``instance`` vocabulary, so the counts are the tokenizer's);
- each candidate's length (FTS5's ``docsize`` record) and the book's average length (its
  ``averages`` record).

The formula is FTS5's (``fts5Bm25Function`` in SQLite's fts5_aux.c), so the sum equals
``bm25()`` over the whole question and the order does not change; ``tests/book/test_rank.py``
checks it against FTS5. Hand-written because an SQLite auxiliary function cannot be added from
Python's ``sqlite3``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .query import QueryPlan

if TYPE_CHECKING:
    from .index import BookIndex

#: FTS5's bm25 constants.
K1, B = 1.2, 0.75


def varints(blob: bytes) -> list[int]:
    """SQLite's variable-length integers, as FTS5 stores its docsize and averages records."""
    values: list[int] = []
    position = 0
    while position < len(blob):
        value = 0
        for count in range(9):
            byte = blob[position]
            position += 1
            if count == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        values.append(value)
    return values


def fts5_idf(rows: int, hits: int) -> float:
    """FTS5's IDF: negative values (words in over half the rows) become a tiny positive one."""
    value = math.log((rows - hits + 0.5) / (hits + 0.5))
    return value if value > 0.0 else 1e-6


@dataclass(frozen=True, slots=True)
class Split:
    """A ranking expression cut in two: FTS5 ranks ``partial``; ``stored`` are the phrases
    (one common stem each, with its IDF) whose share is computed here, in expression order."""

    stored: tuple[tuple[str, float], ...]
    partial: str | None


def split(
    plan: QueryPlan,
    tokens: Mapping[str, tuple[str, ...]],
    common: Mapping[str, int],
    postings: Mapping[str, int],
    rows: int,
) -> Split | None:
    """The cut for ``plan``, or None when FTS5 should rank it all (nothing stored to use, or no
    candidate stage: then every match is ranked and the question has no common word).

    ``common`` maps the book's common stems to their chunk frequency, ``postings`` those with
    counts stored at index time. A stem in half the chunks or more is left out of the ranking:
    its FTS5 IDF is 1e-6, so it adds at most 2.2e-6 to a score (an order could only change
    between rows already equal to that margin), while ranking it would walk most of the book.
    """
    if not plan.candidates or not postings:
        return None
    stored: list[tuple[str, float]] = []
    rest: list[str] = []
    for phrase in plan.phrases:
        stems = tokens.get(phrase, ())
        if len(stems) == 1 and stems[0] in postings:
            stored.append((stems[0], fts5_idf(rows, postings[stems[0]])))
        elif len(stems) != 1 or 2 * common.get(stems[0], 0) < rows:
            rest.append(phrase)
    if not stored:
        return None
    partial = " OR ".join(f'"{phrase}"' for phrase in rest) if rest else None
    return Split(tuple(stored), partial)


def score(
    partial_rank: float | None,
    size: bytes,
    counts: Mapping[str, Sequence[int]],
    stored: Sequence[tuple[str, float]],
    weights: Sequence[float],
    average_length: float,
) -> float:
    """bm25 of one candidate (higher is better): FTS5's ``partial_rank`` (a negative number, or
    None when the candidate has no match of the partial expression) plus the stored phrases'.

    ``counts`` maps a stem to its per-column counts in the candidate; ``size`` is its docsize.
    """
    total = -partial_rank if partial_rank is not None else 0.0
    length = sum(varints(size))
    norm = K1 * (1.0 - B + B * length / average_length)
    for stem, idf in stored:
        found = counts.get(stem)
        if found:
            frequency = sum(weight * count for weight, count in zip(weights, found, strict=True))
            total += idf * (frequency * (K1 + 1.0)) / (frequency + norm)
    return total


#: The candidates with their keys, length and FTS5's bm25 of the part of the question it ranks
#: (``part``); the common stems' share is added in Python.
_CANDIDATE_ROWS = """WITH cand AS MATERIALIZED (
    SELECT chunks_fts.rowid AS id, c.permalink AS permalink, c.anchor AS anchor
    FROM chunks_fts JOIN chunks AS c ON c.id = chunks_fts.rowid
    WHERE chunks_fts MATCH :candidates {range} {columns}
    ORDER BY {rank} LIMIT :candidate_limit
){part}
SELECT cand.id, cand.permalink, cand.anchor, d.sz, {part_rank}
FROM cand JOIN chunks_fts_docsize AS d ON d.id = cand.id {part_join}
"""
_PART = """, part AS MATERIALIZED (
    SELECT cand.id AS id, {rank} AS rank
    FROM chunks_fts CROSS JOIN cand ON cand.id = chunks_fts.rowid
    WHERE chunks_fts MATCH :partial
)"""
_POSTINGS = """SELECT term, chunk, title, headings, body FROM common_postings
WHERE term IN (SELECT value FROM json_each(:terms)) AND chunk IN (SELECT value FROM json_each(:chunks))"""


async def rank_candidates(
    index: BookIndex, cut: Split, parts: Mapping[str, str], values: dict[str, Any], weights: Sequence[float]
) -> list[tuple[int, float, str, str | None]]:
    """The best ``values["limit"]`` candidates as (rowid, rank, permalink, anchor), best first,
    by bm25 over the whole question (rank = -bm25, as FTS5's ``bm25()`` orders)."""
    rank = f"bm25(chunks_fts, {', '.join(str(weight) for weight in weights)})"
    if cut.partial is not None:
        part = _PART.format(rank=rank)
        sql = _CANDIDATE_ROWS.format(**parts, rank=rank, part=part, part_rank="part.rank",
                                     part_join="LEFT JOIN part ON part.id = cand.id")
        values = {**values, "partial": cut.partial}
    else:
        sql = _CANDIDATE_ROWS.format(**parts, rank=rank, part="", part_rank="NULL", part_join="")
    candidates = await index.fetchall(sql, values)
    if not candidates:
        return []
    counts: dict[int, dict[str, tuple[int, ...]]] = {}
    stems = json.dumps(sorted({stem for stem, _ in cut.stored}))
    chunks = json.dumps([row[0] for row in candidates])
    for term, chunk, *columns in await index.fetchall(_POSTINGS, {"terms": stems, "chunks": chunks}):
        counts.setdefault(chunk, {})[term] = tuple(columns)
    _, average, _, _ = await index.ranking_stats()
    scored = sorted(
        (
            (-score(partial, size, counts.get(chunk, {}), cut.stored, weights, average), chunk, permalink, anchor)
            for chunk, permalink, anchor, size, partial in candidates
        ),
        key=lambda row: (row[0], row[1]),
    )
    return [(chunk, rank, permalink, anchor) for rank, chunk, permalink, anchor in scored[: values["limit"]]]
