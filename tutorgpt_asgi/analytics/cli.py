"""``tutorgpt report``: where readers struggle, per lesson and per chapter, from the turn records.

Reads the main database named by ``TUTORGPT_DATABASE_URL`` (or ``--database-url``); links use
``TUTORGPT_SITE_URL`` and costs ``TUTORGPT_MODEL_PRICES``. Bad input prints ``error: <message>``
and exits with status 2, never a traceback. A progress bar shows on a terminal (stderr) when
there are enough records for the wait to be noticeable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final

import anyio
from tqdm import tqdm

from tutorgpt_asgi.analytics.page import render_page
from tutorgpt_asgi.analytics.render import as_csv, as_json, as_table
from tutorgpt_asgi.analytics.report import Report, ReportQuery, build_report, count_records, parse_since
from tutorgpt_asgi.settings import SettingsError, load_settings
from tutorgpt_asgi.store.connect import database_for
from tutorgpt_asgi.store.urls import parse_database_url

#: Reports over at least this many records show a progress bar (on a terminal only).
PROGRESS_MIN_RECORDS: Final = 20_000
FORMATS: Final = {"table": as_table, "json": as_json, "csv": as_csv, "html": render_page}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report`` to the ``tutorgpt`` parser."""
    report = subparsers.add_parser("report", help="where readers struggle: figures per lesson and chapter")
    report.add_argument("--since", default="7d", help="7d, 24h, 2w or a date such as 2026-11-01 (default 7d)")
    report.add_argument("--chapter", help="only this chapter id")
    report.add_argument("--format", choices=sorted(FORMATS), default="table")
    report.add_argument(
        "--show-text", action="store_true", help='include the text of "not in the book" questions'
    )
    report.add_argument("--database-url", help="sqlite:///path (default: the database_url setting)")
    report.set_defaults(func=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Build the report and print it in the chosen format."""
    try:
        settings = load_settings()
        since = parse_since(args.since)
    except (SettingsError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    query = ReportQuery(
        since=since, chapter=args.chapter, show_text=args.show_text,
        site_url=settings.site_url, prices=settings.model_prices,
    )
    url = args.database_url or settings.database_url
    try:
        parsed = parse_database_url(url)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if parsed.engine == "sqlite" and not Path(parsed.target).is_file():
        print(f"error: no database at {parsed.target} (set TUTORGPT_DATABASE_URL or --database-url)", file=sys.stderr)
        return 2
    report = anyio.run(_build, url, query)
    sys.stdout.write(FORMATS[args.format](report))
    return 0


async def _build(url: str, query: ReportQuery) -> Report:
    db = database_for(url)
    await db.open()
    try:
        total = await count_records(db, query)
        with tqdm(
            total=total, unit="record", desc="Reading", file=sys.stderr, leave=False,
            disable=None if total >= PROGRESS_MIN_RECORDS else True,  # None: only on a terminal
        ) as bar:
            return await build_report(db, query, bar.update)
    finally:
        await db.close()
