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
class RankingStats:
    """The book's figures the ranking needs, kept by the index between searches."""

    #: FTS5's row count and average row length (tokens, all columns).
    rows: int
    average_length: float
    #: Common stems → chunk frequency; those with every row in ``common_postings``; and those
    #: with their title and heading rows only (in half the chunks or more).
    common: Mapping[str, int]
    postings: Mapping[str, int]
    heading_postings: frozenset[str]


@dataclass(frozen=True, slots=True)
class Split:
    """A ranking expression cut in two: FTS5 ranks ``partial``; ``stored`` are the phrases
    (one common stem each, with its IDF) whose share is computed here, in expression order."""

    stored: tuple[tuple[str, float], ...]
    partial: str | None
    #: The stems of the plan's common words, when each is one stored stem (see
    #: :func:`heading_candidates`); else None.
    common: tuple[str, ...] | None = None


def split(plan: QueryPlan, tokens: Mapping[str, tuple[str, ...]], stats: RankingStats) -> Split | None:
    """The cut for ``plan``, or None when FTS5 should rank it all (nothing stored to use, or no
    candidate stage: then every match is ranked and the question has no common word).

    A stem in half the chunks or more is left out of the ranking:
    its FTS5 IDF is 1e-6, so it adds at most 2.2e-6 to a score (an order could only change
    between rows already equal to that margin), while ranking it would walk most of the book.
    """
    postings, rows = stats.postings, stats.rows
    if not plan.candidates or not postings:
        return None
    stored: list[tuple[str, float]] = []
    rest: list[str] = []
    for phrase in plan.phrases:
        stems = tokens.get(phrase, ())
        if len(stems) == 1 and stems[0] in postings:
            stored.append((stems[0], fts5_idf(rows, postings[stems[0]])))
        elif len(stems) != 1 or 2 * stats.common.get(stems[0], 0) < rows:
            rest.append(phrase)
    if not stored:
        return None
    partial = " OR ".join(f'"{phrase}"' for phrase in rest) if rest else None
    common_stems = [tokens.get(word, ()) for word in plan.common]
    heads = all(
        len(stems) == 1 and (stems[0] in postings or stems[0] in stats.heading_postings) for stems in common_stems
    )
    return Split(tuple(stored), partial, tuple(stems[0] for stems in common_stems) if heads else None)


def score(
    partial_rank: float | None,
    length: int,
    counts: Mapping[str, Sequence[int]],
    stored: Sequence[tuple[str, float]],
    weights: Sequence[float],
    average_length: float,
) -> float:
    """bm25 of one candidate (higher is better): FTS5's ``partial_rank`` (a negative number, or
    None when the candidate has no match of the partial expression) plus the stored phrases'.

    ``counts`` maps a stem to its per-column counts in the candidate; ``length`` is its length
    in tokens (all columns, as FTS5 counts it).
    """
    total = -partial_rank if partial_rank is not None else 0.0
    norm = K1 * (1.0 - B + B * length / average_length)
    for stem, idf in stored:
        found = counts.get(stem)
        if found:
            frequency = sum(weight * count for weight, count in zip(weights, found, strict=True))
            total += idf * (frequency * (K1 + 1.0)) / (frequency + norm)
    return total



_FROM_MATCH = """SELECT chunks_fts.rowid AS id, c.permalink AS permalink, c.anchor AS anchor, c.length AS length
    FROM chunks_fts JOIN chunks AS c ON c.id = chunks_fts.rowid
    WHERE chunks_fts MATCH :candidates {range} {columns}
    ORDER BY {rank} LIMIT :candidate_limit"""
_FROM_IDS = """SELECT c.id AS id, c.permalink AS permalink, c.anchor AS anchor, c.length AS length
    FROM json_each(:ids) AS picked CROSS JOIN chunks AS c ON c.id = picked.value"""
#: The candidates with their keys, length and FTS5's bm25 of the part of the question it ranks
#: (``part``); the common stems' share is added in Python.
_CANDIDATE_ROWS = """WITH cand AS MATERIALIZED ({source}){part}
SELECT cand.id, cand.permalink, cand.anchor, cand.length, {part_rank} FROM cand {part_join}
"""
_PART = """, part AS MATERIALIZED (
    SELECT cand.id AS id, {rank} AS rank
    FROM chunks_fts CROSS JOIN cand ON cand.id = chunks_fts.rowid
    WHERE chunks_fts MATCH :partial
)"""
_POSTINGS = """SELECT term, chunk, title, headings, body FROM common_postings
WHERE term IN (SELECT value FROM json_each(:terms)) AND chunk IN (SELECT value FROM json_each(:chunks))"""
#: Title and heading matches of common stems (the partial index ``common_heads``).
#: How many chunks hold each common stem in their title or headings (FTS5's IDF for a phrase
#: under a column filter), from the partial index ``common_heads``.
_HEADING_COUNTS = """SELECT term, count(*) FROM common_postings
WHERE term IN (SELECT value FROM json_each(:terms)) AND title + headings > 0 GROUP BY term"""
#: bm25 of the common words' title and heading matches (the formula of :func:`score`, in SQL so
#: thousands of rows are summed without reaching Python), best first. ``:words`` holds one
#: (stem, IDF) pair per word; ``{only}`` may narrow it to some chunks.
_HEADINGS = """WITH words(term, idf) AS (SELECT value ->> 0, value ->> 1 FROM json_each(:words))
SELECT p.chunk, sum(words.idf * (:title * p.title + :headings * p.headings) * (:k1 + 1.0)
    / (:title * p.title + :headings * p.headings + :k1 * (1.0 - :b + :b * p.length / :average))) AS total
FROM words CROSS JOIN common_postings AS p ON p.term = words.term
WHERE p.title + p.headings > 0 {only}
GROUP BY p.chunk ORDER BY total DESC, p.chunk LIMIT :keep"""
#: Which of some chunks are in the searched scope (the reader's docs instance and version).
_INSIDE = "SELECT c.id FROM chunks AS c WHERE c.id IN (SELECT value FROM json_each(:ids)) {columns}"
_RARE = """SELECT chunks_fts.rowid, {rank} FROM chunks_fts JOIN chunks AS c ON c.id = chunks_fts.rowid
WHERE chunks_fts MATCH :candidates {range} {columns}"""


def _rank_sql(weights: Sequence[float]) -> str:
    return f"bm25(chunks_fts, {', '.join(str(weight) for weight in weights)})"


async def rank_candidates(
    index: BookIndex,
    cut: Split,
    parts: Mapping[str, str],
    values: dict[str, Any],
    weights: Sequence[float],
    ids: Sequence[int] | None = None,
) -> list[tuple[int, float, str, str | None]]:
    """The best ``values["limit"]`` candidates as (rowid, rank, permalink, anchor), best first,
    by bm25 over the whole question (rank = -bm25, as FTS5's ``bm25()`` orders). Candidates are
    ``ids`` when given, else the best matches of ``values["candidates"]``."""
    rank = _rank_sql(weights)
    if ids is not None:
        source, values = _FROM_IDS, {**values, "ids": json.dumps(list(ids))}
    else:
        source = _FROM_MATCH.format(**parts, rank=rank)
    if cut.partial is not None:
        sql = _CANDIDATE_ROWS.format(source=source, part=_PART.format(rank=rank), part_rank="part.rank",
                                     part_join="LEFT JOIN part ON part.id = cand.id")
        values = {**values, "partial": cut.partial}
    else:
        sql = _CANDIDATE_ROWS.format(source=source, part="", part_rank="NULL", part_join="")
    candidates = await index.fetchall(sql, values)
    if not candidates:
        return []
    counts: dict[int, dict[str, tuple[int, ...]]] = {}
    stems = json.dumps(sorted({stem for stem, _ in cut.stored}))
    chunks = json.dumps([row[0] for row in candidates])
    for term, chunk, *columns in await index.fetchall(_POSTINGS, {"terms": stems, "chunks": chunks}):
        counts.setdefault(chunk, {})[term] = tuple(columns)
    average = (await index.ranking_stats()).average_length
    scored = sorted(
        (-score(partial, length, counts.get(chunk, {}), cut.stored, weights, average), chunk, permalink, anchor)
        for chunk, permalink, anchor, length, partial in candidates
    )
    return [(chunk, rank, permalink, anchor) for rank, chunk, permalink, anchor in scored[: values["limit"]]]


async def heading_candidates(
    index: BookIndex,
    plan: QueryPlan,
    common: Sequence[str],
    parts: Mapping[str, str],
    values: Mapping[str, Any],
    weights: Sequence[float],
) -> list[int] | None:
    """The candidate stage "rare words, or a common word in the title or headings", picked as
    FTS5 would (best ``values["candidate_limit"]`` by bm25 of that expression) but from
    ``common_postings``: FTS5 walks every match of the common words to find the few in titles
    and headings (4 ms of a 9 ms search). ``common`` are the stems of the plan's common words
    (:attr:`Split.common`). The rare words' stage came first and found fewer than ``k`` rows,
    so all of them are scored here. For the whole book (on the reader's shelves) only: in a
    chapter or lesson, FTS5's walk is short already. None when FTS5 should pick after all.
    """
    stats = await index.ranking_stats()
    counts = dict(await index.fetchall(_HEADING_COUNTS, {"terms": json.dumps(sorted(set(common)))}))
    words = json.dumps([[stem, fts5_idf(stats.rows, counts.get(stem, 0))] for stem in common])
    constants = {"words": words, "title": weights[0], "headings": weights[1], "k1": K1, "b": B,
                 "average": stats.average_length, "keep": values["candidate_limit"] * 4}
    totals = dict(await index.fetchall(_HEADINGS.format(only=""), constants))
    if plan.heading_stage == 1:  # the rare words' matches (fewer than k) compete too
        rare = _RARE.format(**parts, rank=_rank_sql(weights))
        matched = dict(await index.fetchall(rare, {**values, "candidates": plan.candidates[0]}))
        missing = json.dumps([rowid for rowid in matched if rowid not in totals])
        only = "AND p.chunk IN (SELECT value FROM json_each(:missing))"
        totals.update(await index.fetchall(_HEADINGS.format(only=only), {**constants, "missing": missing}))
        for rowid, partial in matched.items():
            totals[rowid] = totals.get(rowid, 0.0) - partial
    best = [chunk for chunk, _ in sorted(totals.items(), key=lambda item: (-item[1], item[0]))]
    return await _inside(index, best, parts, values, complete=len(totals) < constants["keep"])


async def _inside(
    index: BookIndex, ranked: list[int], parts: Mapping[str, str], values: Mapping[str, Any], complete: bool
) -> list[int] | None:
    """The first ``values["candidate_limit"]`` of ``ranked`` in the searched scope (the reader's
    shelves), or None when too few are and ``ranked`` is not ``complete`` (FTS5 picks then)."""
    limit = values["candidate_limit"]
    if parts["columns"]:
        rows = await index.fetchall(_INSIDE.format(columns=parts["columns"]), {**values, "ids": json.dumps(ranked)})
        inside = {rowid for (rowid,) in rows}
        ranked = [chunk for chunk in ranked if chunk in inside]
    return ranked[:limit] if len(ranked) >= limit or complete else None
