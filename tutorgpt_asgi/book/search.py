"""``search_book_content``: the tool the tutor agent calls to find passages in the book.

Scopes narrow the search to the reader's current lesson or chapter. When that id is unknown (no
page context, or a page the index does not have) or the narrow scope has no hit, the search
widens (lesson → chapter → book) and the result says so in ``note``, so the agent can tell the
student it looked further. Any text is a safe query (see :mod:`.query`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from .coverage import MARK_CLOSE, MARK_OPEN, QuestionWeights, marked_words, question_weights, unmark
from .index import BM25_WEIGHTS, BookIndex, scope_filter
from .query import QueryPlan, phrases, plan_query, terms
from .rank import Split, heading_candidates, rank_candidates, split
from .shelves import reader_shelves

SCOPES = ("current_lesson", "current_chapter", "entire_book")
MAX_K = 50
SNIPPET_TOKENS = 32
#: Rows the rarer words pick for the full ranking when a query mixes rare and common words.
CANDIDATES = 60
WEAK_NOTE = (
    "weak_match: no passage covers this question; the book most likely does not answer it."
)
_SCOPE_WORDS = {
    "current_lesson": "the current lesson",
    "current_chapter": "the current chapter",
    "entire_book": "the entire book",
}


@dataclass(frozen=True)
class ScopeContext:
    """Where the student is, from the session's page context."""

    current_chapter: str | None = None
    current_lesson: str | None = None
    #: The reader's docs instance and version: search stays in them (see :mod:`.shelves`).
    docs_instance: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class SearchHit:
    title: str
    heading_path: tuple[str, ...]
    snippet: str
    url: str
    score: float
    doc_id: str
    chapter_id: str | None
    lesson_id: str
    permalink: str
    anchor: str | None
    #: Share of the question this passage covers (see :mod:`.coverage`).
    coverage: float = 0.0
    #: The passage's whole text (Markdown, code fences kept), for answers that quote it.
    text: str = ""


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[SearchHit, ...]
    requested_scope: str
    searched_scope: str
    note: str | None
    #: No hit covers the question: the book most likely does not answer it.
    weak_match: bool = False
    #: The coverage a hit needs to count as covering the question (see :mod:`.coverage`).
    needed_coverage: float = 1.0


_RANK = f"bm25(chunks_fts, {', '.join(str(weight) for weight in BM25_WEIGHTS)})"
#: Rank every match (small result sets, or no rare word to narrow with).
_TOP_ALL = f"""top AS (
    SELECT chunks_fts.rowid AS id, {_RANK} AS rank
    FROM chunks_fts JOIN chunks AS c ON c.id = chunks_fts.rowid
    WHERE chunks_fts MATCH :query {{range}} {{columns}}
    ORDER BY rank LIMIT :limit
)"""
#: Pick candidates with the rarer words, then rank only those with the whole query. The
#: second step walks the matches and keeps the candidates: probing FTS5 row by row instead
#: would make bm25 recount its statistics for every row.
_TOP_CANDIDATES = f"""cand AS (
    SELECT chunks_fts.rowid AS id
    FROM chunks_fts JOIN chunks AS c ON c.id = chunks_fts.rowid
    WHERE chunks_fts MATCH :candidates {{range}} {{columns}}
    ORDER BY {_RANK} LIMIT :candidate_limit
), top AS (
    SELECT cand.id AS id, {_RANK} AS rank
    FROM chunks_fts CROSS JOIN cand ON cand.id = chunks_fts.rowid
    WHERE chunks_fts MATCH :query {{range}}
    ORDER BY rank LIMIT :limit
)"""
#: The ranked rows' keys: duplicates (chunks of one section) are dropped before the snippets.
_KEYS = (
    "SELECT top.id, top.rank, c.permalink, c.anchor FROM top CROSS JOIN chunks AS c ON c.id = top.id "
    "ORDER BY top.rank"
)
#: The kept rows, as (rowid, rank) pairs.
_TOP_GIVEN = "top AS (SELECT value ->> 0 AS id, value ->> 1 AS rank FROM json_each(:top))"
_HIGHLIGHT = f"highlight(chunks_fts, {{column}}, '{MARK_OPEN}', '{MARK_CLOSE}')"
# Snippets are built last, for the few kept rows only (snippet() in the ranking query would
# run for every match, before the sort). CROSS JOIN pins the join order: the planner would
# otherwise scan every match of the query and look each one up in ``top``.
_SELECT = f"""
SELECT c.doc_id, c.chapter_id, c.lesson_id, c.anchor, c.heading_path, c.permalink, c.title,
       snippet(chunks_fts, 2, '**', '**', '…', {SNIPPET_TOKENS}), top.rank,
       {_HIGHLIGHT.format(column=0)}, {_HIGHLIGHT.format(column=1)}, {_HIGHLIGHT.format(column=2)}
FROM top CROSS JOIN chunks_fts ON chunks_fts.rowid = top.id CROSS JOIN chunks AS c ON c.id = top.id
WHERE chunks_fts MATCH :query
ORDER BY top.rank
"""


async def search_book_content(
    index: BookIndex,
    query: str,
    scope: str = "entire_book",
    context: ScopeContext | None = None,
    k: int = 5,
    *,
    judge: str | None = None,
) -> SearchResult:
    """The top ``k`` passages for ``query`` in ``scope``, widening the scope when needed.

    Each hit's ``coverage`` and the result's ``weak_match`` are judged on ``judge`` (a part of
    the query, e.g. the question without the passage it quotes) or on the whole query.
    """
    context = context or ScopeContext()
    k = max(1, min(k if isinstance(k, int) else 5, MAX_K))
    requested = scope
    notes: list[str] = []
    if scope not in SCOPES:
        notes.append(f"Unknown scope {scope!r}; searched the entire book.")
        scope = "entire_book"
    text = query if isinstance(query, str) else ""
    plan, weights, cut = await _prepare(index, text, judge)
    shelves = await reader_shelves(index, context.docs_instance, context.version)
    ladder = await _ladder(index, scope, context, notes, shelves)
    if plan is None:
        notes.append("The query has no searchable words.")
        return SearchResult((), requested, ladder[0][0], " ".join(notes), weak_match=True)
    for position, (name, chapter_id, lesson_id) in enumerate(ladder):
        hits = await _search(index, plan, weights, cut, (chapter_id, lesson_id), k, shelves)
        if hits or position == len(ladder) - 1:
            if position > 0 and name != ladder[0][0]:
                notes.append(
                    f"No match in {_SCOPE_WORDS[ladder[0][0]]}; searched {_SCOPE_WORDS[name]} instead."
                )
            weak = not any(hit.coverage >= weights.needed for hit in hits)
            if weak:
                notes.append(WEAK_NOTE)
            return SearchResult(
                tuple(hits), requested, name, " ".join(notes) or None, weak, weights.needed
            )
    raise AssertionError("the ladder always ends with the entire book")


async def _prepare(
    index: BookIndex, text: str, judge: str | None
) -> tuple[QueryPlan | None, QuestionWeights, Split | None]:
    """The FTS5 plan for ``text``, the weights coverage is judged with, and the part of the
    ranking done in Python (see :mod:`.rank`)."""
    words = terms(text + ("\n" + judge if judge else ""))
    judged = terms(judge) if judge else words
    stems = index.stems(judged)
    chunks, frequencies = await index.chunk_frequencies({s for found in stems.values() for s in found})
    common = await index.common_words(words) if words else set()
    plan = plan_query(words, common, phrases(text))
    cut = None
    if plan is not None and plan.candidates:
        cut = split(plan, index.tokens(plan.phrases), await index.ranking_stats())
    return plan, question_weights(stems, frequencies, chunks), cut


async def _ladder(
    index: BookIndex, scope: str, context: ScopeContext, notes: list[str], shelves: tuple[str, ...]
) -> list[tuple[str, str | None, str | None]]:
    """The scopes to try, narrowest first, each as (name, chapter filter, lesson filter)."""
    ladder: list[tuple[str, str | None, str | None]] = []
    chapter, lesson = context.current_chapter, context.current_lesson
    chapter_known, lesson_known = False, False
    if scope != "entire_book" and (chapter is not None or lesson is not None):
        chapter_known, lesson_known = await index.chapter_and_lesson_exist(chapter, lesson, shelves)
    if scope == "current_lesson":
        if lesson_known:
            ladder.append(("current_lesson", chapter, lesson))
        else:
            wider = "the current chapter" if chapter_known else "the entire book"
            notes.append(f"The current lesson is not known ({lesson!r}); searched {wider} instead.")
    if scope in ("current_lesson", "current_chapter"):
        if chapter_known:
            ladder.append(("current_chapter", chapter, None))
        elif scope == "current_chapter":
            notes.append(f"The current chapter is not known ({chapter!r}); searched the entire book instead.")
    ladder.append(("entire_book", None, None))
    return ladder


async def _search(
    index: BookIndex,
    plan: QueryPlan,
    weights: QuestionWeights,
    cut: Split | None,
    scope: tuple[str | None, str | None],
    k: int,
    shelves: tuple[str, ...] = (),
) -> list[SearchHit]:
    clauses, params = scope_filter(*scope, shelves)
    parts = {"range": "", "columns": ""}
    if clauses:
        # Chunks of a page are written together, so a scope is (nearly) a contiguous rowid
        # range: FTS5 can then skip the rest of the book instead of ranking it and dropping it.
        where = " AND ".join(clauses)
        parts["range"] = (
            f"AND chunks_fts.rowid BETWEEN (SELECT min(id) FROM chunks WHERE {where}) "
            f"AND (SELECT max(id) FROM chunks WHERE {where})"
        )
        parts["columns"] = "".join(f"AND c.{clause} " for clause in clauses)
    values: dict[str, Any] = {
        "query": plan.expression,
        "limit": k * 3,
        "candidate_limit": max(CANDIDATES, k * 10),
        **params,
    }
    top = _distinct(await _top(index, plan, cut, parts, values, k), k)
    if not top:
        return []
    rows = await index.fetchall("WITH " + _TOP_GIVEN + _SELECT, {**values, "top": json.dumps(top)})
    matched = [marked_words(row[-3:]) for row in rows]
    stems = index.stems(set().union(*matched))
    wanted = weights.stems
    return [
        _hit(index, row, weights.coverage({s for word in words for s in stems[word]} & wanted))
        for row, words in zip(rows, matched, strict=True)
    ]


async def _top(
    index: BookIndex, plan: QueryPlan, cut: Split | None, parts: dict[str, str], values: dict[str, Any], k: int
) -> list[tuple[Any, ...]]:
    """The best rows as (rowid, rank, permalink, anchor), best first: the candidates of the
    first stage that finds ``k`` ranked in Python (see :mod:`.rank`) or by FTS5, else every
    match ranked by FTS5."""
    for stage, candidates in enumerate(plan.candidates):
        staged = {**values, "candidates": candidates}
        if cut is not None:
            ids = None
            whole_book = "chapter_id" not in values and "lesson_id" not in values
            if stage == plan.heading_stage and cut.common is not None and whole_book:
                ids = await heading_candidates(index, plan, cut.common, parts, values, BM25_WEIGHTS)
            top = await rank_candidates(index, cut, parts, staged, BM25_WEIGHTS, ids)
        else:
            top = await index.fetchall("WITH " + _TOP_CANDIDATES.format(**parts) + _KEYS, staged)
        if len(top) >= k:
            return top
    # no narrowing, or it found too little: rank every match
    return await index.fetchall("WITH " + _TOP_ALL.format(**parts) + _KEYS, values)


def _distinct(top: list[tuple[Any, ...]], k: int) -> list[tuple[int, float]]:
    """The first ``k`` rows of distinct sections, keyed by permalink and anchor (the same doc id
    exists in every version and docs instance)."""
    kept: list[tuple[int, float]] = []
    seen: set[tuple[str, str | None]] = set()
    for rowid, rank, permalink, anchor in top:
        if (permalink, anchor) not in seen:
            seen.add((permalink, anchor))
            kept.append((rowid, rank))
            if len(kept) == k:
                break
    return kept


def _hit(index: BookIndex, row: tuple[Any, ...], coverage: float) -> SearchHit:
    doc_id, chapter_id, lesson_id, anchor, heading_path, permalink, title, snip, rank, *_, body = row
    target = f"{permalink}#{anchor}" if anchor else permalink
    text = unmark(body)
    snippet = _flatten(snip) if "**" in (snip or "") else _lead(text)
    return SearchHit(
        title=title,
        heading_path=tuple(json.loads(heading_path)),
        snippet=snippet.strip(),
        url=urljoin(index.site_url, target) if index.site_url else target,
        score=round(-float(rank), 4),
        doc_id=doc_id,
        chapter_id=chapter_id,
        lesson_id=lesson_id,
        permalink=permalink,
        anchor=anchor,
        coverage=coverage,
        text=text,
    )


_FENCE = re.compile(r"`{3,}[\w+-]*")


def _flatten(snippet: str) -> str:
    """One line of prose: a 32-token window may cut a code fence in half, which would swallow
    the rest of an answer that quotes it, and Markdown bold does not render inside code."""
    return " ".join(_FENCE.sub(" ", snippet).split())


def _lead(text: str | None) -> str:
    """The start of a chunk, for hits that matched only in the title or headings."""
    words = (text or "").split()
    return " ".join(words[:SNIPPET_TOKENS]) + ("…" if len(words) > SNIPPET_TOKENS else "")
