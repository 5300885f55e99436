"""``tutorgpt index PATH`` and ``tutorgpt search QUERY``: build and try the book index by hand.

:func:`register` adds both subcommands to the main ``tutorgpt`` parser; ``python -m
tutorgpt_asgi.book.cli`` runs them on their own. Bad input prints ``error: <code>: <message>`` and
exits with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict

import anyio
from tqdm import tqdm

from ..settings import SettingsError, load_settings
from .errors import BookError
from .index import BookIndex, IndexSummary
from .search import SCOPES, ScopeContext, SearchResult, search_book_content

#: Books with at least this many docs get a progress bar while they are parsed.
PROGRESS_MIN_PAGES = 50


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``index`` and ``search`` to ``subparsers``; each sets ``func(args) -> exit code``."""
    index = subparsers.add_parser("index", help="index a book-index.json or a Docusaurus docs folder")
    index.add_argument("path", help="path to book-index.json or to the docs folder")
    _database_option(index)
    index.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip docs matching GLOB (relative to the docs folder, e.g. '**/*.summary.md'; repeatable)",
    )
    index.add_argument("--json", action="store_true", help="print the summary as JSON")
    index.set_defaults(func=run_index)

    search = subparsers.add_parser("search", help="search the indexed book")
    search.add_argument("query", help="the question or words to look for")
    search.add_argument(
        "--scope", default="entire_book", help=f"one of {', '.join(SCOPES)} (default entire_book)"
    )
    search.add_argument("--lesson", help="the current lesson id (for --scope current_lesson)")
    search.add_argument("--chapter", help="the current chapter id (for current_lesson/current_chapter)")
    search.add_argument("--version", help="the reader's docs version (e.g. current, 1.0; default: the released one)")
    search.add_argument("--instance", help="the reader's docs plugin instance (default: default)")
    search.add_argument("-k", type=int, default=5, help="number of results (default 5)")
    _database_option(search)
    search.add_argument("--json", action="store_true", help="print the result as JSON")
    search.set_defaults(func=run_search)


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--book-database-url",
        help="sqlite:///path to the index (default: the book_database_url setting)",
    )


def _settings_values(args: argparse.Namespace) -> tuple[str, str | None]:
    settings = load_settings()
    return args.book_database_url or settings.book_database_url, settings.site_url


def run_index(args: argparse.Namespace) -> int:
    return _guarded(lambda: anyio.run(_index, args))


def run_search(args: argparse.Namespace) -> int:
    return _guarded(lambda: anyio.run(_search, args))


def _guarded(action: Callable[[], int]) -> int:
    try:
        return action()
    except BookError as error:
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
    except SettingsError as error:
        print(f"error: settings_invalid: {error}", file=sys.stderr)
    return 2


async def _index(args: argparse.Namespace) -> int:
    url, site_url = _settings_values(args)
    bar: tqdm | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if total < PROGRESS_MIN_PAGES:
            return
        if bar is None:
            bar = tqdm(total=total, unit="page", desc="Reading", file=sys.stderr, leave=False)
        bar.n = done
        bar.refresh()

    async with await BookIndex.open(url, site_url=site_url) as index:
        try:
            summary = await index.index_path(args.path, progress=progress, exclude=args.exclude)
        finally:
            if bar is not None:
                bar.close()
    for warning in summary.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(json.dumps(asdict(summary)) if args.json else _describe(summary))
    return 0


def _describe(summary: IndexSummary) -> str:
    return (
        f"Indexed {summary.pages} pages, {summary.sections} sections, {summary.chunks} chunks, "
        f"{summary.words} words in {summary.seconds:.2f} s ({summary.source_kind}: {summary.source}); "
        f"{summary.added} added, {summary.updated} updated, {summary.removed} removed, "
        f"{summary.unchanged} unchanged."
    )


async def _search(args: argparse.Namespace) -> int:
    url, site_url = _settings_values(args)
    async with await BookIndex.open(url, site_url=site_url) as index:
        if await index.page_count() == 0:
            print(
                f"warning: the book index at {url} is empty; run `tutorgpt index PATH` first", file=sys.stderr
            )
        reader = ScopeContext(args.chapter, args.lesson, args.instance, args.version)
        result = await search_book_content(index, args.query, args.scope, reader, k=args.k)
    print(json.dumps(asdict(result), ensure_ascii=False, indent=2) if args.json else _render(result))
    return 0


def _render(result: SearchResult) -> str:
    lines = [
        f"Scope: {result.searched_scope}"
        + (f" (asked: {result.requested_scope})" if result.requested_scope != result.searched_scope else "")
    ]
    if result.note:
        lines.append(f"Note: {result.note}")
    if not result.hits:
        lines.append("No results.")
    for number, hit in enumerate(result.hits, start=1):
        lines.append(
            f"{number}. {' › '.join(hit.heading_path)}  [{hit.chapter_id or '-'}/{hit.lesson_id}]"
            f"  score {hit.score:.2f}"
        )
        lines.append(f"   {hit.url}")
        lines.append(f"   {hit.snippet}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tutorgpt", description="TutorGPT book index")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
