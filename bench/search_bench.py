"""Benchmark of the book index: build time, size and search latency on a 2 000-page book.

``run()`` writes a synthetic book (:mod:`bench.synthetic_book`) to a temporary folder, indexes
it with :class:`BookIndex` (a real SQLite file), re-indexes it unchanged (the incremental path),
then times ``queries`` mixed searches one after another: natural questions, rare words, scoped
searches (lesson and chapter, some falling back) and hostile text. Latency is measured around
the public ``search_book_content`` call, so aiosqlite's thread hops are included; CPU time is
reported beside it because wall-clock percentiles on a shared machine mostly measure the
neighbours (the 1-minute load average is in the report).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio

from tutorgpt_asgi.book import BookIndex, ScopeContext, search_book_content

from .synthetic_book import SyntheticPage, write_book

_HOSTILE = ['"unbalanced', "NEAR(a b", "-x* OR (", "🙂🚀", "x" * 10_000, "AND OR NOT", "'; DROP TABLE chunks"]
_QUESTION_FORMS = (
    "What is {} and {}?",
    "How does {} relate to {}?",
    "Explain {} in the context of {}",
    "{} {}",
)


def _queries(
    pages: list[SyntheticPage], count: int, rng: random.Random
) -> list[tuple[str, str, ScopeContext]]:
    queries: list[tuple[str, str, ScopeContext]] = []
    for number in range(count):
        page = rng.choice(pages)
        words = list(page.words) or ["widget"]
        kind = number % 10
        if kind == 9:
            queries.append((rng.choice(_HOSTILE), "entire_book", ScopeContext()))
            continue
        text = rng.choice(_QUESTION_FORMS).format(rng.choice(words), rng.choice(words))
        if kind in (0, 1, 2):
            queries.append((text, "current_lesson", ScopeContext(page.chapter_id, page.lesson_id)))
        elif kind in (3, 4):
            other = rng.choice(pages)  # often another chapter: exercises the fallback
            queries.append((text, "current_chapter", ScopeContext(other.chapter_id, None)))
        elif kind == 5:
            queries.append((page.title, "entire_book", ScopeContext()))
        else:
            queries.append((text, "entire_book", ScopeContext()))
    return queries


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def _run(pages: int, queries: int, workdir: Path) -> dict[str, Any]:
    started = time.perf_counter()
    book = write_book(workdir / "docs", pages)
    generate_seconds = time.perf_counter() - started
    db_path = workdir / "book.db"
    async with await BookIndex.open(f"sqlite:///{db_path}") as index:
        summary = await index.index_path(workdir / "docs")
        started = time.perf_counter()
        unchanged = await index.index_path(workdir / "docs")
        reindex_seconds = time.perf_counter() - started
        workload = _queries(book, queries, random.Random(7))
        for text, scope, context in workload[:50]:  # warm the page cache
            await search_book_content(index, text, scope, context)
        latencies: list[float] = []
        cpu: list[float] = []
        hits = 0
        load_before = os.getloadavg()[0]
        for text, scope, context in workload:
            started, cpu_started = time.perf_counter(), time.process_time()
            result = await search_book_content(index, text, scope, context)
            latencies.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            hits += bool(result.hits)
    size = sum(path.stat().st_size for path in workdir.glob("book.db*"))
    return {
        "pages": summary.pages,
        "sections": summary.sections,
        "chunks": summary.chunks,
        "words": summary.words,
        "generate_seconds": round(generate_seconds, 2),
        "index_build_seconds": round(summary.seconds, 2),
        "reindex_unchanged_seconds": round(reindex_seconds, 2),
        "reindex_unchanged_pages": unchanged.unchanged,
        "index_bytes": size,
        "queries": len(latencies),
        "queries_with_hits": hits,
        "search_p50_ms": round(statistics.median(latencies), 3),
        "search_p99_ms": round(_percentile(latencies, 0.99), 3),
        "search_max_ms": round(max(latencies), 3),
        # CPU time of the whole process per search: what the search costs without the waiting
        # a loaded, shared machine adds to wall-clock latency.
        "search_cpu_p50_ms": round(statistics.median(cpu), 3),
        "search_cpu_p99_ms": round(_percentile(cpu, 0.99), 3),
        "load_average_1m": round(max(load_before, os.getloadavg()[0]), 2),
        "cpu_count": os.cpu_count(),
    }


def run(pages: int = 2000, queries: int = 1000) -> dict[str, Any]:
    """Build, re-index and query a synthetic book; returns the measurements."""
    with tempfile.TemporaryDirectory(prefix="tutorgpt-search-bench-") as workdir:
        return anyio.run(_run, pages, queries, Path(workdir))


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
