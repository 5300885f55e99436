"""One SQLite database: a single writer task with group commit, and a separate read connection.

Why one writer: SQLite has one writer at a time, so a lock or a commit per request makes every
request pay for its own fsync. Here every write call is queued to a single task that runs
whatever is queued as ONE transaction (group commit), each call inside its own SAVEPOINT: a call
that fails is rolled back alone and its exception goes back to its caller, the others commit.
A call returns only after the COMMIT of the batch it joined, so nothing is acknowledged before it
is durable, and ``synchronous=FULL`` costs almost nothing extra (see the performance notes).

Reads use their own connection: in WAL mode they see the last committed state and never wait for
the writer.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from tutorgpt_asgi.store.migrations import apply_migrations

logger = logging.getLogger(__name__)

T = TypeVar("T")
WriteFn = Callable[[aiosqlite.Connection], Awaitable[T]]

#: How many queued calls one transaction takes at most, so a flood cannot starve commits.
MAX_BATCH = 256


class DatabaseClosed(RuntimeError):
    """A write was queued after the database was closed."""


@dataclass(slots=True)
class _Job:
    fn: WriteFn[Any]
    future: asyncio.Future[Any] = field(repr=False)


async def _connect(path: str) -> aiosqlite.Connection:
    """An aiosqlite connection whose worker thread does not keep the process alive.

    aiosqlite's thread is not a daemon, so a runtime started lazily by a host that never ran our
    lifespan would hang the interpreter at exit. A daemon thread loses nothing acknowledged:
    ``write()`` returns only after COMMIT, and SQLite's WAL survives an abrupt exit.
    """
    connection = aiosqlite.connect(path, isolation_level=None)
    connection._thread.daemon = True  # noqa: SLF001 - not exposed by aiosqlite's API
    return await connection


async def _configure(connection: aiosqlite.Connection, synchronous: str) -> None:
    connection.row_factory = sqlite3.Row
    await connection.execute("PRAGMA journal_mode=WAL")
    await connection.execute(f"PRAGMA synchronous={synchronous}")
    await connection.execute("PRAGMA foreign_keys=ON")
    await connection.execute("PRAGMA busy_timeout=5000")


class Database:
    """An open SQLite file: ``await write(fn)`` for changes, ``fetchall``/``fetchone`` for reads."""

    def __init__(self, path: str, *, synchronous: str = "NORMAL") -> None:
        self.path = path
        self.synchronous = synchronous
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._queue: asyncio.Queue[_Job | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Connect, migrate the schema, and start the writer task."""
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._writer = await _connect(self.path)
        await _configure(self._writer, self.synchronous)
        await apply_migrations(self._writer)
        self._reader = await _connect(self.path)
        await _configure(self._reader, self.synchronous)
        await self._reader.execute("PRAGMA query_only=ON")
        self._task = asyncio.create_task(self._run_writer(), name=f"sqlite-writer:{self.path}")

    async def close(self) -> None:
        """Finish queued writes, stop the writer, and close both connections."""
        if self._task is not None:
            await self._queue.put(None)
            await self._task
            self._task = None
        for connection in (self._reader, self._writer):
            if connection is not None:
                await connection.close()
        self._reader = self._writer = None

    async def write(self, fn: WriteFn[T]) -> T:
        """Run ``fn(connection)`` in the next group transaction; return once it is committed."""
        if self._task is None or self._task.done():
            raise DatabaseClosed(f"database {self.path} is not open")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Job(fn, future))
        return await future

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """All rows of a read-only query."""
        assert self._reader is not None, "database is not open"
        async with self._reader.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        """The first row of a read-only query, or ``None``."""
        assert self._reader is not None, "database is not open"
        async with self._reader.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    async def _run_writer(self) -> None:
        stopping = False
        while not stopping:
            batch: list[_Job] = []
            job = await self._queue.get()
            while job is not None and len(batch) < MAX_BATCH:
                batch.append(job)
                if self._queue.empty():
                    break
                job = self._queue.get_nowait()
            stopping = job is None
            if batch:
                await self._commit_batch(batch)

    async def _commit_batch(self, batch: list[_Job]) -> None:
        assert self._writer is not None
        connection = self._writer
        results: list[tuple[_Job, bool, Any]] = []
        try:
            await connection.execute("BEGIN IMMEDIATE")
            for job in batch:
                results.append(await self._run_in_savepoint(connection, job))
            await connection.execute("COMMIT")
        except Exception as error:  # the batch itself failed (disk full, I/O error, ...)
            logger.exception("SQLite group commit failed; rolling back %d writes", len(batch))
            if connection.in_transaction:
                await connection.execute("ROLLBACK")
            for job in batch:
                if not job.future.done():
                    job.future.set_exception(error)
            return
        for job, ok, value in results:
            if job.future.done():  # the caller went away (cancelled); the write still committed
                continue
            if ok:
                job.future.set_result(value)
            else:
                job.future.set_exception(value)

    @staticmethod
    async def _run_in_savepoint(
        connection: aiosqlite.Connection, job: _Job
    ) -> tuple[_Job, bool, Any]:
        await connection.execute("SAVEPOINT job")
        try:
            value = await job.fn(connection)
        except Exception as error:
            await connection.execute("ROLLBACK TO job")
            await connection.execute("RELEASE job")
            return job, False, error
        await connection.execute("RELEASE job")
        return job, True, value
