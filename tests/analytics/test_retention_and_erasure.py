"""Turn records go away: older than TUTORGPT_ANALYTICS_RETENTION_DAYS (in batches, in the
background), with their thread, and with their student."""

from __future__ import annotations

import sqlite3
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.analytics.support import BOOK_DOCS, Reader, page
from tests.chatkit import requests as req
from tests.support.servers import serve
from tutorgpt_asgi import create_app
from tutorgpt_asgi.analytics import retention
from tutorgpt_asgi.clock import stored, utc_now
from tutorgpt_asgi.store.database import Transaction
from tutorgpt_asgi.store.sqlite import SQLiteDatabase

LOOP = page("ai-agents", "agent-loop", "/docs/foundations/agent-loop")


def _app(tmp_path: Path, **settings: object) -> object:
    return create_app(database_url=f"sqlite:///{tmp_path / 'main.db'}",
                      book_database_url=f"sqlite:///{tmp_path / 'book.db'}", book=str(BOOK_DOCS), **settings)


def _sql(db: Path, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA foreign_keys=ON")
    try:
        rows = connection.execute(sql, params).fetchall()
        connection.commit()
        return rows
    finally:
        connection.close()


def _ask_three(http: httpx.Client) -> tuple[Reader, list[dict[str, object]]]:
    reader = Reader(http)
    answers = [reader.ask(LOOP, f"What is the turn budget? ({n})") for n in range(3)]
    return reader, answers


def test_old_records_are_purged_in_the_background(tmp_path: Path) -> None:
    db = tmp_path / "main.db"
    with serve(_app(tmp_path)) as base, httpx.Client(base_url=base, timeout=20) as http:  # type: ignore[arg-type]
        _ask_three(http)
    old = stored(utc_now() - timedelta(days=40))
    _sql(db, "UPDATE turn_records SET created_at = ? WHERE item_id IN"
             " (SELECT item_id FROM turn_records ORDER BY created_at LIMIT 2)", (old,))
    with serve(_app(tmp_path, analytics_retention_days=30)):  # type: ignore[arg-type]
        deadline = time.monotonic() + 10
        while len(_sql(db, "SELECT item_id FROM turn_records")) != 1:
            assert time.monotonic() < deadline, "the old records were not purged"
            time.sleep(0.05)
    assert _sql(db, "SELECT COUNT(*) FROM items")[0][0] == 6  # the threads themselves are kept


@pytest.mark.anyio
async def test_purge_deletes_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = SQLiteDatabase(str(tmp_path / "main.db"))
    await database.open()
    try:
        now = utc_now()

        async def seed(tx: Transaction) -> None:
            await tx.execute("INSERT INTO students (id, learning_level, created_at, updated_at)"
                               " VALUES ('stu', 'beginner', ?, ?)", (stored(now), stored(now)))
            await tx.execute("INSERT INTO threads (id, student_id, created_at, updated_at)"
                               " VALUES ('thr', 'stu', ?, ?)", (stored(now), stored(now)))
            for n in range(7):
                age = timedelta(days=50 if n < 5 else 1)
                await tx.execute(
                    "INSERT INTO turn_records (item_id, thread_id, student_id, created_at)"
                    " VALUES (?, 'thr', 'stu', ?)", (f"msg{n}", stored(now - age)))

        await database.write(seed)
        monkeypatch.setattr(retention, "BATCH", 2)
        writes: list[int] = []
        original = database.write

        async def counting(fn):  # type: ignore[no-untyped-def]
            writes.append(1)
            return await original(fn)

        monkeypatch.setattr(database, "write", counting)
        assert await retention.purge_old_records(database, 30) == 5
        assert len(writes) == 3  # 2 + 2 + 1: small writes, not one long one
        rows = await database.fetchall("SELECT item_id FROM turn_records ORDER BY item_id")
        assert [row[0] for row in rows] == ["msg5", "msg6"]
    finally:
        await database.close()


def test_deleting_a_thread_or_the_student_erases_their_records(tmp_path: Path) -> None:
    db = tmp_path / "main.db"
    with serve(_app(tmp_path)) as base, httpx.Client(base_url=base, timeout=20) as http:  # type: ignore[arg-type]
        reader, answers = _ask_three(http)
        other, _ = _ask_three(http)
        auth = {"Authorization": f"Bearer {reader.secret}"}
        deleted = http.post("/", content=req.delete(str(answers[0]["thread_id"])),
                            headers={**auth, "Content-Type": "application/json"})
        assert deleted.status_code == 200
        rows = _sql(db, "SELECT thread_id, student_id FROM turn_records")
        assert len(rows) == 5 and answers[0]["thread_id"] not in {row["thread_id"] for row in rows}
        [(student,)] = _sql(db, "SELECT student_id FROM turn_records WHERE thread_id = ?", (answers[1]["thread_id"],))
        assert http.delete("/student", headers=auth).status_code == 204
        remaining = _sql(db, "SELECT student_id FROM turn_records")
        assert len(remaining) == 3 and student not in {row[0] for row in remaining}  # the other reader's stay


def test_retention_days_must_be_positive(tmp_path: Path) -> None:
    from tutorgpt_asgi.settings import SettingsError

    with pytest.raises(SettingsError, match="TUTORGPT_ANALYTICS_RETENTION_DAYS"):
        _app(tmp_path, analytics_retention_days=0)
