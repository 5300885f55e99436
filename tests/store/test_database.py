"""The single writer: group commit with per-call isolation, and migrations of old files."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tutorgpt_asgi.store.database import MAX_BATCH, Database
from tutorgpt_asgi.store.migrations import apply_migrations, available_migrations


@pytest.mark.anyio
async def test_a_failing_call_is_rolled_back_alone(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "t.db"))
    await db.open()
    try:
        def insert(connection: sqlite3.Connection, email: str) -> None:
            connection.execute(
                "INSERT INTO students (id, email, learning_level, created_at, updated_at) "
                "VALUES (?, ?, 'beginner', 'now', 'now')", (email, email))
            if email == "bad@example.com":
                raise RuntimeError("refused after writing")

        emails = [f"s{n}@example.com" for n in range(20)] + ["bad@example.com"]
        results = await asyncio.gather(
            *(db.write(lambda c, e=e: insert(c, e)) for e in emails), return_exceptions=True
        )
        assert [type(r).__name__ for r in results].count("RuntimeError") == 1
        rows = await db.fetchall("SELECT email FROM students")
        assert {row["email"] for row in rows} == set(emails) - {"bad@example.com"}
    finally:
        await db.close()


#: A child process: write through Database, say "acked" once write() returned, then hang until killed.
_WRITER = """
import asyncio, sys
from tutorgpt_asgi.store.database import Database

async def main() -> None:
    db = Database(sys.argv[1], synchronous="NORMAL")
    await db.open()
    for number in range(50):
        await db.write(lambda c, n=number: c.execute(
            "INSERT INTO students (id, learning_level, created_at, updated_at) "
            "VALUES (?, 'beginner', 'now', 'now')", (f"stu_{n}",)))
        print(f"acked stu_{number}", flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


def test_a_returned_write_survives_kill_9(tmp_path: Path) -> None:
    """Not just visible to another connection: still there after the writer dies without closing."""
    path = tmp_path / "t.db"
    child = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    acked = [child.stdout.readline().split()[1] for _ in range(50)]
    child.send_signal(signal.SIGKILL)  # no close(), no checkpoint: the WAL is all there is
    assert child.wait(timeout=10) == -signal.SIGKILL
    connection = sqlite3.connect(path)  # recovery from the WAL happens here
    stored = {row[0] for row in connection.execute("SELECT id FROM students")}
    connection.close()
    assert set(acked) <= stored and len(acked) == 50


@pytest.mark.anyio
async def test_an_old_database_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    first = available_migrations()[:1]
    connection = sqlite3.connect(path, isolation_level=None)
    assert apply_migrations(connection, first) == 1
    connection.execute(
        "INSERT INTO students (id, email, learning_level, created_at, updated_at) "
        "VALUES ('stu_old', 'old@example.com', 'advanced', 'then', 'then')")
    connection.close()
    db = Database(str(path))
    await db.open()
    try:
        version = (await db.fetchone("PRAGMA user_version"))[0]
        assert version == available_migrations()[-1][0] > 1
        student = await db.fetchone("SELECT email, learning_level FROM students")
        assert tuple(student) == ("old@example.com", "advanced")
        tables = {row[0] for row in await db.fetchall("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"students", "sessions", "visits"} <= tables
    finally:
        await db.close()


def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    broken = [*available_migrations()[:1], (2, "0002_broken.sql", "CREATE TABLE x (a);\nNOT SQL;")]
    connection = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        apply_migrations(connection, broken)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
    assert connection.execute("SELECT name FROM sqlite_master WHERE name = 'x'").fetchone() is None
    connection.close()


@pytest.mark.anyio
async def test_more_writes_than_one_batch_holds_all_complete(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "t.db"))
    await db.open()
    try:
        def insert(connection: sqlite3.Connection, n: int) -> int:
            connection.execute(
                "INSERT INTO students (id, learning_level, created_at, updated_at) "
                "VALUES (?, 'beginner', 'now', 'now')", (f"s{n}",))
            return n

        count = 3 * MAX_BATCH + 7
        done = await asyncio.wait_for(
            asyncio.gather(*(db.write(lambda c, n=n: insert(c, n)) for n in range(count))), timeout=30
        )
        assert done == list(range(count))
        assert (await db.fetchone("SELECT COUNT(*) FROM students"))[0] == count
    finally:
        await db.close()


def test_workers_starting_together_migrate_a_new_file_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    script = (
        "import asyncio, sys, time\n"
        "from tutorgpt_asgi.store.database import Database\n"
        "async def main():\n"
        "    db = Database(sys.argv[1])\n"
        "    time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # all start together\n"
        "    await db.open()\n"
        "    await db.close()\n"
        "asyncio.run(main())\n"
    )
    start = str(time.time() + 2.0)
    workers = [
        subprocess.Popen([sys.executable, "-c", script, str(path), start], stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    errors = [worker.communicate(timeout=60)[1] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0, 0], errors
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == available_migrations()[-1][0]
