"""Run the questions against the project's search, the offline tutor and the BM25 baseline.

Everything in one run on the same book: the index is built fresh in a temporary folder, the
baseline from the same parsed pages. A question counts as found at rank r when the r-th distinct
page of the results is one of its pages (the issue's "page of the top results").
"""

from __future__ import annotations

import inspect
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tutorgpt_asgi.agent.offline import OfflineTutor, search_texts
from tutorgpt_asgi.book.docs_folder import read_docs_folder
from tutorgpt_asgi.book.export import read_export
from tutorgpt_asgi.book.index import BookIndex
from tutorgpt_asgi.book.search import search_book_content
from tutorgpt_asgi.chatkit.responder import Turn, TurnContext
from tutorgpt_asgi.sessions.context import PageContext

from .baseline import PlainBM25
from .questions import Question

DEPTH = 10
#: Whether the search under test takes ``judge`` (``--compare`` runs older revisions too).
_JUDGES = "judge" in inspect.signature(search_book_content).parameters


@dataclass
class Outcome:
    """What each system did with one question."""

    question: Question
    ours_rank: int | None  # 1-based rank of the first right page, None when not in the top DEPTH
    base_rank: int | None
    weak_match: bool
    coverage: float  # the best hit's
    offline_answered: bool
    offline_right: bool
    search_ms: float


@dataclass
class BookReport:
    name: str
    pages: int
    words: int
    outcomes: list[Outcome] = field(default_factory=list)


def _rank(permalinks: Iterable[str], wanted: tuple[str, ...]) -> int | None:
    targets = {"/docs/" + page for page in wanted}
    distinct: list[str] = []
    for permalink in permalinks:
        page = permalink.rstrip("/")
        if page not in distinct:
            distinct.append(page)
    for position, page in enumerate(distinct[:DEPTH], start=1):
        if page in targets:
            return position
    return None


def turn_for(question: Question) -> Turn:
    """A first turn with no page context: the harness asks about the whole book."""
    context = TurnContext("bench", "bench", None, "intermediate", PageContext())
    return Turn("bench", question.text, question.quote, context)


async def evaluate(name: str, source: Path, questions: tuple[Question, ...], workdir: Path) -> BookReport:
    book = read_docs_folder(source) if source.is_dir() else read_export(source)
    baseline = PlainBM25(book)
    report = BookReport(name, len(book.pages), sum(page.word_count for page in book.pages))
    async with await BookIndex.open(f"sqlite:///{workdir / (name + '.db')}") as index:
        await index.index_path(source)
        tutor = OfflineTutor(index)
        for question in questions:
            turn = turn_for(question)
            texts = search_texts(turn)
            query = texts[0] if texts else question.text
            started = time.perf_counter()
            judge = texts[1] if texts else None
            if _JUDGES:
                result = await search_book_content(index, query, "entire_book", k=DEPTH, judge=judge)
            else:  # an older revision (``--compare``): no judge, no coverage
                result = await search_book_content(index, query, "entire_book", k=DEPTH)
            elapsed = (time.perf_counter() - started) * 1000
            found = await tutor.find(turn)
            hits = found[0] if isinstance(found, tuple) else found
            wanted = {"/docs/" + page for page in question.pages}
            report.outcomes.append(
                Outcome(
                    question=question,
                    ours_rank=_rank((hit.permalink for hit in result.hits), question.pages),
                    base_rank=_rank(baseline.search(query, DEPTH * 3), question.pages),
                    weak_match=getattr(result, "weak_match", False),
                    coverage=max((getattr(hit, "coverage", 0.0) for hit in result.hits), default=0.0),
                    offline_answered=bool(hits),
                    offline_right=any(hit.permalink.rstrip("/") in wanted for hit in hits),
                    search_ms=elapsed,
                )
            )
    baseline.close()
    return report


@dataclass
class Scores:
    count: int
    r1: float
    r3: float
    mrr: float


def scores(ranks: list[int | None]) -> Scores:
    count = len(ranks)
    if not count:
        return Scores(0, 0.0, 0.0, 0.0)
    return Scores(
        count,
        sum(1 for r in ranks if r == 1) / count,
        sum(1 for r in ranks if r is not None and r <= 3) / count,
        sum(1 / r for r in ranks if r is not None) / count,
    )


def by_kind(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[outcome.question.kind].append(outcome)
    return dict(groups)
