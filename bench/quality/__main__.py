"""``python -m bench.quality``: relevance of the book search and the offline tutor, per kind of
question, beside a plain BM25 baseline, on the example book and on Django's documentation.

Options: ``--books example,django`` (default: both), ``--misses`` to list the questions that
were not perfect, ``--json FILE`` to write the per-question outcomes, ``--workdir DIR`` to keep
the indexes between runs (while tuning), ``--compare REF`` to run the same questions on git
revision ``REF``'s package first (in a fresh process) and print a before/after summary.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio

from . import django_book
from .harness import BookReport, Outcome, by_kind, evaluate, scores
from .questions import BOOKS, Question

EXAMPLE_DOCS = Path(__file__).resolve().parents[2] / "example-site" / "docs"


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole}" if whole else "–"


def _row(kind: str, outcomes: list[Outcome]) -> str:
    inbook = [o for o in outcomes if o.question.pages]
    offbook = [o for o in outcomes if not o.question.pages]
    ours = scores([o.ours_rank for o in inbook])
    base = scores([o.base_rank for o in inbook])
    recall = (
        f"{ours.r1:.2f} / {base.r1:.2f} | {ours.r3:.2f} / {base.r3:.2f} | {ours.mrr:.2f} / {base.mrr:.2f}"
        if inbook
        else "– | – | –"
    )
    weak = sum(o.weak_match for o in inbook)
    rejected = sum(o.weak_match for o in offbook)
    offline_right = sum(o.offline_right for o in inbook)
    offline_refused = sum(not o.offline_answered for o in inbook)
    offline_rejected = sum(not o.offline_answered for o in offbook)
    return (
        f"| {kind} | {len(outcomes)} | {recall} | {_pct(weak, len(inbook))} | {_pct(rejected, len(offbook))} "
        f"| {_pct(offline_right, len(inbook))} | {_pct(offline_refused, len(inbook))} "
        f"| {_pct(offline_rejected, len(offbook))} |"
    )


def render(report: BookReport) -> str:
    lines = [
        f"**{report.name}** ({report.pages} pages, {report.words:,} words; ours / plain BM25)",
        "",
        "| kind | n | R@1 | R@3 | MRR | search weak_match on in-book (false refusal) "
        "| search weak_match on off-book (rejection) | offline: right page | offline: refused in-book "
        "| offline: rejected off-book |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    groups = by_kind(report.outcomes)
    for kind in sorted(groups):
        lines.append(_row(kind, groups[kind]))
    lines.append(_row("**all**", report.outcomes))
    latencies = [o.search_ms for o in report.outcomes]
    lines += ["", f"Search latency over these questions: median {statistics.median(latencies):.1f} ms, "
              f"max {max(latencies):.1f} ms (includes the thread hops; not a benchmark)."]
    return "\n".join(lines)


def summary(name: str, label: str, outcomes: list[Outcome]) -> str:
    """One before/after row: recall of the search, and what the signal and the offline tutor did."""
    inbook = [o for o in outcomes if o.question.pages]
    offbook = [o for o in outcomes if not o.question.pages]
    ours, base = scores([o.ours_rank for o in inbook]), scores([o.base_rank for o in inbook])
    return (
        f"| {name} | {label} | {ours.r1:.2f} | {ours.r3:.2f} | {ours.mrr:.2f} "
        f"| {base.r1:.2f} / {base.r3:.2f} / {base.mrr:.2f} "
        f"| {_pct(sum(o.weak_match for o in inbook), len(inbook))} "
        f"| {_pct(sum(o.weak_match for o in offbook), len(offbook))} "
        f"| {_pct(sum(o.offline_right for o in inbook), len(inbook))} "
        f"| {_pct(sum(not o.offline_answered for o in offbook), len(offbook))} |"
    )


SUMMARY_HEADER = (
    "| book | code | R@1 | R@3 | MRR | plain BM25 R@1 / R@3 / MRR | search weak_match, in-book "
    "| search weak_match, off-book | offline: right page, in-book | offline: refused, off-book |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def _outcomes(raw: list[dict[str, Any]]) -> list[Outcome]:
    items = []
    for item in raw:
        question = item.pop("question")
        question["pages"] = tuple(question["pages"])
        items.append(Outcome(question=Question(**question), **item))
    return items


def _reference(revision: str, books: str) -> dict[str, list[Outcome]]:
    """The outcomes of ``revision``'s package on the same questions, from a fresh process."""
    root = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory(prefix="tutorgpt-quality-ref-") as old:
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", revision, "tutorgpt_asgi"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", old], input=archive, check=True)
        output = Path(old) / "outcomes.json"
        subprocess.run(
            [sys.executable, "-m", "bench.quality", "--books", books, "--json", str(output)],
            env={**os.environ, "PYTHONPATH": f"{old}{os.pathsep}{root}"}, cwd=old, check=True,
            stdout=subprocess.DEVNULL,
        )
        return {name: _outcomes(raw) for name, raw in json.loads(output.read_text()).items()}


def _offline(outcome: Outcome) -> str:
    return "right" if outcome.offline_right else "answered" if outcome.offline_answered else "refused"


def misses(report: BookReport) -> str:
    rows = [
        f"- [{o.question.kind}] {o.question.text!r}: ours {o.ours_rank}, base {o.base_rank}, "
        f"weak {o.weak_match} ({o.coverage:.2f}), offline {_offline(o)}"
        for o in report.outcomes
        if (o.question.pages and (o.ours_rank is None or o.ours_rank > 1 or o.weak_match or not o.offline_right))
        or (not o.question.pages and (not o.weak_match or o.offline_answered))
    ]
    return "\n".join(rows)


async def _run(books: list[str], workdir: Path) -> list[BookReport]:
    reports = []
    for name in books:
        if name == "example":
            source = EXAMPLE_DOCS
        else:
            source = workdir / "django-docs"
            django_book.write_book(source)
        reports.append(await evaluate(name, source, BOOKS[name], workdir))
    return reports


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.quality")
    parser.add_argument("--books", default="example,django")
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--workdir", type=Path, help="keep the indexes here (re-runs index only changes)")
    parser.add_argument("--compare", metavar="REF", help="also run git revision REF, e.g. main")
    args = parser.parse_args(argv)
    books = [name for name in args.books.split(",") if name]
    before = _reference(args.compare, args.books) if args.compare else {}
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        reports = anyio.run(_run, books, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="tutorgpt-quality-") as workdir:
            reports = anyio.run(_run, books, Path(workdir))
    for report in reports:
        print(render(report))
        inbook = sorted(o.coverage for o in report.outcomes if o.question.pages)
        offbook = sorted(o.coverage for o in report.outcomes if not o.question.pages)
        print(f"\nBest-hit coverage: in-book {inbook}\noff-book {offbook}")
        if args.misses:
            print("\nNot perfect:\n" + misses(report))
        print()
    if before:
        print(SUMMARY_HEADER)
        for report in reports:
            print(summary(report.name, args.compare, before[report.name]))
            print(summary(report.name, "this tree", report.outcomes))
    if args.json:
        args.json.write_text(
            json.dumps(
                {r.name: [{**vars(o), "question": vars(o.question)} for o in r.outcomes] for r in reports},
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
