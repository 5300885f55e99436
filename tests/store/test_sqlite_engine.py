"""What only the SQLite engine does: old files migrated in place, failed migrations, vacuum."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tutorgpt_asgi.store.database import Reader, Transaction
from tutorgpt_asgi.store.migrations import Migration, apply_migrations, available_migrations
from tutorgpt_asgi.store.sqlite import SQLiteDatabase


@pytest.mark.anyio
async def test_an_old_database_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path, isolation_level=None)
    assert apply_migrations(connection, available_migrations()[:1]) == 1
    connection.execute(
        "INSERT INTO students (id, email, learning_level, created_at, updated_at) "
        "VALUES ('stu_old', 'old@example.com', 'advanced', 'then', 'then')")
    connection.close()
    db = SQLiteDatabase(str(path))
    await db.open()
    try:
        assert await db.schema_version() == available_migrations()[-1].version > 1
        student = await db.fetchone("SELECT email, learning_level FROM students")
        assert student is not None and tuple(student) == ("old@example.com", "advanced")
        tables = {row[0] for row in await db.fetchall("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"students", "sessions", "visits"} <= tables
    finally:
        await db.close()


def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    broken = [*available_migrations()[:1], Migration(2, "0002_broken.sql", "CREATE TABLE x (a);\nNOT SQL;")]
    connection = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        apply_migrations(connection, broken)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
    assert connection.execute("SELECT name FROM sqlite_master WHERE name = 'x'").fetchone() is None
    connection.close()


@pytest.mark.anyio
async def test_a_new_file_gives_freed_pages_back(tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    db = SQLiteDatabase(str(path))
    await db.open()
    try:
        async def fill(tx):  # type: ignore[no-untyped-def]
            await tx.executemany(
                "INSERT INTO students (id, name, learning_level, created_at, updated_at)"
                " VALUES (?, ?, 'beginner', 'now', 'now')",
                [(f"s{n}", "x" * 2000) for n in range(2000)],
            )

        async def empty(tx):  # type: ignore[no-untyped-def]
            await tx.execute("DELETE FROM students")

        await db.write(fill)
        await db.write(empty)
        sql = "SELECT freelist_count FROM pragma_freelist_count"
        assert (await db.fetchone(sql))[0] > 500
        await db.reclaim_space()
        assert (await db.fetchone(sql))[0] == 0
    finally:
        await db.close()


@pytest.mark.anyio
async def test_a_synchronous_write_function_is_refused_with_the_rule(tmp_path: Path) -> None:
    db = SQLiteDatabase(str(tmp_path / "s.db"))
    await db.open()
    try:
        def old_style(connection):  # type: ignore[no-untyped-def]
            connection.execute("DELETE FROM students")

        with pytest.raises(TypeError, match="async def fn"):
            await db.write(old_style)
        assert (await db.fetchone("SELECT COUNT(*) FROM students"))[0] == 0  # and the writer goes on
    finally:
        await db.close()


@pytest.mark.anyio
async def test_a_short_read_waits_for_at_most_one_long_read_of_its_batch(tmp_path: Path) -> None:
    db = SQLiteDatabase(str(tmp_path / "s.db"))
    await db.open()
    slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) SELECT COUNT(*) FROM n"
    long_reads_run: list[int] = []

    async def long_read(reader: Reader) -> None:
        await reader.fetchall(slow)
        long_reads_run.append(1)

    async def short() -> int:
        await db.fetchall("SELECT 1")
        return len(long_reads_run)  # how many long reads ran before this one got its answer

    try:  # queued together: one hop runs all three, the short one first
        seen, _, _ = await asyncio.gather(short(), db.read(long_read), db.read(long_read))
        assert seen == 1
    finally:
        await db.close()


INSERT_STUDENT = (
    "INSERT INTO students (id, email, learning_level, created_at, updated_at) VALUES (?, ?, 'beginner', 'now', 'now')"
)


@pytest.mark.anyio
async def test_writes_around_a_failing_one_in_a_batch_keep_their_order_and_values(tmp_path: Path) -> None:
    """A batch runs without savepoints first and, when one write fails, again with a savepoint
    each: the writes before and after the failure apply once, in the order they were queued,
    and return their own values."""

    async def insert(tx: Transaction) -> int:
        return await tx.execute(INSERT_STUDENT, ("ordered", "first@example.com"))

    async def duplicate(tx: Transaction) -> int:
        return await tx.execute(INSERT_STUDENT, ("ordered", "again@example.com"))  # same id

    async def rename(tx: Transaction) -> int:
        return await tx.execute("UPDATE students SET email = 'renamed@example.com' WHERE id = 'ordered'")

    db = SQLiteDatabase(str(tmp_path / "batch.db"))
    await db.open()
    try:
        statements: list[str] = []
        assert db._writer is not None
        db._writer.set_trace_callback(statements.append)  # the statements the writer ran
        results = await asyncio.gather(db.write(insert), db.write(duplicate), db.write(rename),
                                       return_exceptions=True)
        assert results[0] == 1 and results[2] == 1, results
        assert isinstance(results[1], sqlite3.IntegrityError), results
        rows = await db.fetchall("SELECT id, email FROM students")
        assert [tuple(row) for row in rows] == [("ordered", "renamed@example.com")]
        assert statements.count("BEGIN IMMEDIATE") == 2  # one batch: the first pass, then the isolated one
        assert statements.count("SAVEPOINT job") == 3
    finally:
        await db.close()
