"""The store interface on both engines: isolation per write, durability, migrations, workers."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from functools import partial

import pytest

from tests.support.databases import SyncDatabase
from tutorgpt_asgi.store.connect import database_for
from tutorgpt_asgi.store.database import Database, DatabaseClosed, Reader, Transaction
from tutorgpt_asgi.store.migrations import available_migrations
from tutorgpt_asgi.store.sqlite import MAX_BATCH

pytestmark = pytest.mark.anyio

INSERT_STUDENT = (
    "INSERT INTO students (id, email, learning_level, created_at, updated_at) VALUES (?, ?, 'beginner', 'now', 'now')"
)


async def test_a_failing_write_is_rolled_back_alone(db: Database) -> None:
    async def insert(tx: Transaction, email: str) -> None:
        await tx.execute(INSERT_STUDENT, (email, email))
        if email == "bad@example.com":
            raise RuntimeError("refused after writing")

    emails = [f"s{n}@example.com" for n in range(20)] + ["bad@example.com"]
    results = await asyncio.gather(
        *(db.write(lambda tx, e=e: insert(tx, e)) for e in emails), return_exceptions=True
    )
    assert [type(r).__name__ for r in results].count("RuntimeError") == 1
    rows = await db.fetchall("SELECT email FROM students")
    assert {row["email"] for row in rows} == set(emails) - {"bad@example.com"}


async def test_a_write_is_visible_elsewhere_when_write_returns(db: Database, main_db_url: str) -> None:
    async def insert(tx: Transaction) -> int:
        return await tx.execute(INSERT_STUDENT, ("x", None))

    assert await db.write(insert) == 1
    # a separate connection sees it: committed, not just queued
    assert [tuple(row) for row in SyncDatabase(main_db_url).rows("SELECT id FROM students")] == [("x",)]


#: A child process: write through the store, say "acked" once write() returned, then hang until killed.
_WRITER = """
import asyncio, sys
from tutorgpt_asgi.store.connect import database_for

async def insert(tx, n):
    await tx.execute(
        "INSERT INTO students (id, learning_level, created_at, updated_at) "
        "VALUES (?, 'beginner', 'now', 'now')", (f"stu_{n}",))

async def main() -> None:
    db = database_for(sys.argv[1], pool_size=1)
    await db.open()
    for number in range(50):
        await db.write(lambda tx, n=number: insert(tx, n))
        print(f"acked stu_{number}", flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


def test_a_returned_write_survives_kill_9(main_db_url: str) -> None:
    """Not just visible to another connection: still there after the writer dies without closing
    (on SQLite no close(), no checkpoint: the WAL is all there is)."""
    child = subprocess.Popen([sys.executable, "-c", _WRITER, main_db_url], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    acked = [child.stdout.readline().split()[1] for _ in range(50)]
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=10) == -signal.SIGKILL
    stored = {row[0] for row in SyncDatabase(main_db_url).rows("SELECT id FROM students")}
    assert set(acked) <= stored and len(acked) == 50


async def test_statements_return_changed_rows_and_returning_rows(db: Database) -> None:
    async def work(tx: Transaction) -> tuple[int, str, int]:
        await tx.executemany(INSERT_STUDENT, [(f"s{n}", None) for n in range(3)])
        row = await tx.fetchone("INSERT INTO students (id, learning_level, created_at, updated_at)"
                                " VALUES (?, 'advanced', 'now', 'now') RETURNING id", ("r",))
        assert row is not None
        changed = await tx.execute("UPDATE students SET name = ? WHERE id <> ?", ("n", "r"))
        missing = await tx.execute("DELETE FROM students WHERE id = ?", ("nobody",))
        return changed, row["id"], missing

    assert await db.write(work) == (3, "r", 0)


async def test_question_marks_inside_strings_are_not_parameters(db: Database) -> None:
    async def insert(tx: Transaction) -> None:
        await tx.execute(
            "INSERT INTO students (id, name, learning_level, created_at, updated_at)"
            " VALUES (?, 'who? -- me?', ?, 'now', 'now')", ("q", "beginner"))

    await db.write(insert)
    assert (await db.fetchone("SELECT name FROM students WHERE id = ?", ("q",)))["name"] == "who? -- me?"


async def test_more_writes_than_one_batch_holds_all_complete(db: Database) -> None:
    async def insert(tx: Transaction, n: int) -> int:
        await tx.execute(INSERT_STUDENT, (f"s{n}", None))
        return n

    count = 3 * MAX_BATCH + 7
    done = await asyncio.wait_for(
        asyncio.gather(*(db.write(lambda tx, n=n: insert(tx, n)) for n in range(count))), timeout=60
    )
    assert done == list(range(count))
    assert (await db.fetchone("SELECT COUNT(*) FROM students"))[0] == count


async def test_a_new_database_is_at_the_last_migration(db: Database) -> None:
    assert await db.schema_version() == available_migrations(db.engine)[-1].version


def test_each_engine_gets_every_migration_number() -> None:
    sqlite, postgres = available_migrations("sqlite"), available_migrations("postgresql")
    assert [m.version for m in sqlite] == [m.version for m in postgres]
    assert any(m.name.endswith(".postgresql.sql") for m in postgres)
    assert not any(m.name.endswith(".postgresql.sql") for m in sqlite)


async def test_an_unreachable_postgresql_names_the_url_without_its_password() -> None:
    from tutorgpt_asgi.store.database import DatabaseUnavailable

    db = database_for("postgresql://postgres:hunter2@127.0.0.1:1/nothing")
    with pytest.raises(DatabaseUnavailable) as caught:
        await db.open()
    assert "127.0.0.1:1" in str(caught.value) and "hunter2" not in str(caught.value)


def test_workers_starting_together_migrate_once(main_db_url: str) -> None:
    script = (
        "import asyncio, sys, time\n"
        "from tutorgpt_asgi.store.connect import database_for\n"
        "async def main():\n"
        "    db = database_for(sys.argv[1], pool_size=1)\n"
        "    time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # all start together\n"
        "    await db.open()\n"
        "    print(await db.schema_version())\n"
        "    await db.close()\n"
        "asyncio.run(main())\n"
    )
    start = str(time.time() + 3.0)
    workers = [
        subprocess.Popen([sys.executable, "-c", script, main_db_url, start], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outputs = [worker.communicate(timeout=60) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0, 0], outputs
    last = available_migrations("sqlite" if main_db_url.startswith("sqlite") else "postgresql")[-1].version
    assert [out.strip() for out, _ in outputs] == [str(last)] * 4


async def test_a_read_runs_several_statements_and_each_caller_gets_its_own_outcome(db: Database) -> None:
    await db.write(lambda tx: tx.executemany(INSERT_STUDENT, [(f"s{n}", None) for n in range(5)]))

    async def student_and_count(reader: Reader, student_id: str) -> tuple[str, int]:
        row = await reader.fetchone("SELECT id FROM students WHERE id = ?", (student_id,))
        if row is None:
            raise LookupError(student_id)
        count = await reader.fetchone("SELECT COUNT(*) FROM students")
        assert count is not None
        return row[0], count[0]

    wanted = [f"s{n % 5}" for n in range(3 * MAX_BATCH)] + ["missing"]  # several batches, one failure
    outcomes = await asyncio.wait_for(asyncio.gather(
        *(db.read(partial(student_and_count, student_id=s)) for s in wanted), return_exceptions=True
    ), timeout=60)
    assert outcomes[:-1] == [(s, 5) for s in wanted[:-1]]
    assert isinstance(outcomes[-1], LookupError)


async def test_reads_and_writes_after_close_are_refused(main_db_url: str) -> None:
    db = database_for(main_db_url)
    await db.open()
    await db.close()
    with pytest.raises(DatabaseClosed):
        await db.read(lambda reader: reader.fetchall("SELECT 1"))
    with pytest.raises(DatabaseClosed):
        await db.write(lambda tx: tx.execute("SELECT 1"))
