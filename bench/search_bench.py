"""Benchmark of the book index: build time, size and search latency on a 2 000-page book.

``run()`` writes a synthetic book (:mod:`bench.synthetic_book`) to a temporary folder, indexes
it with :class:`BookIndex` (a real SQLite file), re-indexes it unchanged (the incremental path),
then times ``queries`` short mixed searches one after another (natural questions of 2–5 words,
rare words, scoped searches, some falling back, and hostile text) and ``long_queries`` questions
of 10–25 words in a student's style ("I read the part about X but I still do not understand how
it connects to Y when the state changes"), which is what real students type.

``python -m bench.search_bench --compare REF`` runs the same measurement on the code of git
revision ``REF`` (its ``tutorgpt_asgi`` extracted to a temporary folder) and on the working tree,
one after the other in fresh processes, for a before/after table from one run. Latency is measured around
the public ``search_book_content`` call, so the reader thread's hops are included; CPU time is
reported beside it because wall-clock percentiles on a shared machine mostly measure the
neighbours (the 1-minute load average is in the report).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
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


_STUDENT_FORMS = (
    "I read the part about {a} but I still do not understand how it connects to {b} when the {t} changes",
    "Can you explain in simple words why {a} needs {b} and what happens to the {t} if I skip it",
    "My teacher said {a} is a bit like {b} but I am confused about the {t} step, what is the difference",
    "When I try to use {a} together with {b} in my own {t} it does not work, what am I doing wrong",
    "What is the main idea behind {a} and why does the book talk about {b} and {c} in the same lesson",
    "Could you give me a small example of {a} with a real {t}, I think it has something to do with {b}",
    "Why would anyone choose {a} over {b} for the {t}, is it faster or just easier to read",
    "I keep mixing up {a} and {b}, how do I remember which one changes the {t}",
)


def long_questions(pages: list[SyntheticPage], count: int, rng: random.Random) -> list[str]:
    """Student-style questions of 10–25 words about the rarer words of random pages."""
    topics = ("data", "model", "agent", "function", "value", "result", "list", "state", "step")
    questions: list[str] = []
    while len(questions) < count:
        page = rng.choice(pages)
        words = list(page.words) or ["widget"]
        a, b, c = (rng.choice(words) for _ in range(3))
        text = rng.choice(_STUDENT_FORMS).format(a=a, b=b, c=c, t=rng.choice(topics)) + "?"
        if 10 <= len(text.split()) <= 25:
            questions.append(text)
    return questions


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def _time(index: BookIndex, workload: list[tuple[str, str, ScopeContext]]) -> dict[str, float]:
    """Wall and CPU milliseconds of each search, one after another."""
    latencies: list[float] = []
    cpu: list[float] = []
    for text, scope, context in workload:
        started, cpu_started = time.perf_counter(), time.process_time()
        await search_book_content(index, text, scope, context)
        latencies.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return {
        "p50_ms": round(statistics.median(latencies), 3),
        "p99_ms": round(_percentile(latencies, 0.99), 3),
        "max_ms": round(max(latencies), 3),
        # CPU time of the whole process per search: what the search costs without the waiting
        # a loaded, shared machine adds to wall-clock latency.
        "cpu_p50_ms": round(statistics.median(cpu), 3),
        "cpu_p99_ms": round(_percentile(cpu, 0.99), 3),
    }


async def _run(pages: int, queries: int, long_queries: int, workdir: Path) -> dict[str, Any]:
    started = time.perf_counter()
    book = write_book(workdir / "docs", pages)
    generate_seconds = time.perf_counter() - started
    db_path = workdir / "book.db"
    rng = random.Random(7)
    async with await BookIndex.open(f"sqlite:///{db_path}") as index:
        summary = await index.index_path(workdir / "docs")
        started = time.perf_counter()
        unchanged = await index.index_path(workdir / "docs")
        reindex_seconds = time.perf_counter() - started
        workload = _queries(book, queries, rng)
        long_workload = [(text, "entire_book", ScopeContext()) for text in long_questions(book, long_queries, rng)]
        for text, scope, context in workload[:50] + long_workload[:20]:  # warm the page cache
            await search_book_content(index, text, scope, context)
        hits = sum([bool((await search_book_content(index, *query)).hits) for query in workload])
        load_before = os.getloadavg()[0]
        short = await _time(index, workload)
        long = await _time(index, long_workload) if long_workload else {}
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
        "queries": len(workload),
        "queries_with_hits": hits,
        **{f"search_{key}": value for key, value in short.items()},
        "long_queries": len(long_workload),
        **{f"long_search_{key}": value for key, value in long.items()},
        "load_average_1m": round(max(load_before, os.getloadavg()[0]), 2),
        "cpu_count": os.cpu_count(),
    }


def run(pages: int = 2000, queries: int = 1000, long_queries: int = 200) -> dict[str, Any]:
    """Build, re-index and query a synthetic book; returns the measurements."""
    with tempfile.TemporaryDirectory(prefix="tutorgpt-search-bench-") as workdir:
        return anyio.run(_run, pages, queries, long_queries, Path(workdir))


def compare(revision: str, pages: int, queries: int, long_queries: int) -> dict[str, dict[str, Any]]:
    """The measurement on ``revision``'s package and on the working tree, in fresh processes."""
    root = Path(__file__).resolve().parents[1]
    code = (
        "import json, sys; from bench.search_bench import run; "
        f"print(json.dumps(run({pages}, {queries}, {long_queries})))"
    )
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="tutorgpt-search-ref-") as old:
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", revision, "tutorgpt_asgi"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", old], input=archive, check=True)
        # Each run starts in the folder whose package it measures: ``python -c`` puts the current
        # folder first on sys.path, ahead of PYTHONPATH (both runs once measured REF's code).
        for label, path, folder in (
            (revision, f"{old}{os.pathsep}{root}", old),
            ("working tree", str(root), str(root)),
        ):
            code_path = f"import tutorgpt_asgi; assert tutorgpt_asgi.__file__.startswith({folder!r}); {code}"
            done = subprocess.run(
                [sys.executable, "-c", code_path], env={**os.environ, "PYTHONPATH": path},
                cwd=folder, check=True, capture_output=True, text=True,
            )
            results[label] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search_bench")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--long-queries", type=int, default=200)
    parser.add_argument("--compare", metavar="REF", help="also measure git revision REF, e.g. main")
    args = parser.parse_args(argv)
    if args.compare:
        print(json.dumps(compare(args.compare, args.pages, args.queries, args.long_queries), indent=2))
    else:
        print(json.dumps(run(args.pages, args.queries, args.long_queries), indent=2))


if __name__ == "__main__":
    main()
