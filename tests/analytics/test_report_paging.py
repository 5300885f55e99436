"""The report reads records in keyset pages: none dropped or counted twice, even when many share
a timestamp; and --since accepts durations and dates, refusing anything else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tutorgpt_asgi.analytics import report
from tutorgpt_asgi.analytics.report import ReportQuery, build_report, count_records, parse_since
from tutorgpt_asgi.store.database import Transaction
from tutorgpt_asgi.store.sqlite import SQLiteDatabase

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.mark.anyio
async def test_pages_cover_every_record_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = SQLiteDatabase(str(tmp_path / "main.db"))
    await db.open()
    try:
        async def seed(tx: Transaction) -> None:
            await tx.execute("INSERT INTO students (id, created_at, updated_at) VALUES ('s', 'x', 'x')")
            await tx.execute(
                "INSERT INTO threads (id, student_id, created_at, updated_at) VALUES ('t', 's', 'x', 'x')"
            )
            for n in range(23):  # groups of five share one timestamp
                moment = f"2026-11-2{n // 5}T10:00:00.000000Z"
                await tx.execute(
                    "INSERT INTO turn_records (item_id, thread_id, student_id, chapter_id, lesson_id, created_at)"
                    " VALUES (?, 't', 's', ?, ?, ?)", (f"m{n:02d}", f"c{n % 2}", f"l{n % 3}", moment))

        await db.write(seed)
        monkeypatch.setattr(report, "PAGE_SIZE", 3)
        pages: list[int] = []
        query = ReportQuery(since=datetime(2026, 11, 1, tzinfo=UTC))
        built = await build_report(db, query, pages.append)
        assert built.total.questions == 23 and sum(pages) == 23 and len(pages) == 8
        assert sum(s.questions for s in built.lessons) == 23
        assert await count_records(db, query) == 23
        one = await build_report(db, ReportQuery(since=query.since, chapter="c1"))
        assert one.total.questions == 11 and {s.chapter_id for s in one.lessons} == {"c1"}
        late = await build_report(db, ReportQuery(since=datetime(2026, 11, 22, tzinfo=UTC)))
        assert late.total.questions == 13
    finally:
        await db.close()


@pytest.mark.parametrize(("text", "expected"), [
    ("7d", NOW - timedelta(days=7)), ("24h", NOW - timedelta(hours=24)), ("2w", NOW - timedelta(weeks=2)),
    ("30m", NOW - timedelta(minutes=30)), ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
])
def test_since_accepts_durations_and_dates(text: str, expected: datetime) -> None:
    assert parse_since(text, NOW) == expected


@pytest.mark.parametrize("text", ["", "7", "d7", "-7d", "7y", "yesterday", "99999999d"])
def test_since_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError):
        parse_since(text, NOW)
