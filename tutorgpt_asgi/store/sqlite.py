"""The SQLite engine: one writer thread with group commit, and one reader thread.

Why one writer: SQLite has one writer at a time, so a lock or a commit per request makes every
request pay for its own fsync. Here every write is queued to one writer task, which hands
whatever is queued to the writer thread as ONE transaction (group commit): a write that fails
is rolled back alone and its exception goes back to its caller, the others commit (the batch is
then run again with a SAVEPOINT per write; see :func:`_run_batch`). A call returns only after
the COMMIT of the batch it joined, so nothing is acknowledged before it is durable, and
``synchronous=FULL`` costs almost nothing extra (see the performance notes).

Why a whole batch runs in the writer thread (as Datasette's ``execute_write_fn``): one thread
hop per batch. With a hop per statement, fetch and savepoint (aiosqlite), about seven per
session, session creation ran at a fifth of the throughput. The store's write functions are
``async def fn(tx)`` so that PostgreSQL can await its network; here ``tx``'s methods never
suspend, so the writer thread drives each coroutine to its end with a single ``send(None)``,
no event loop involved (see :func:`_drive`).

Reads run the same way on their own connection and thread: ``read(fn)`` drives a whole read
function (``get_by_id``'s thread and items) in the reader thread, and one hop carries whatever
reads are queued (``batches.py`` says why and what was measured). In WAL mode they see the last
committed state and never wait for the writer. (aiosqlite, used before, cost a hop per
statement.)
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

from tutorgpt_asgi.store.batches import BatchThread, Outcomes
from tutorgpt_asgi.store.database import (
    Database,
    DatabaseClosed,
    DatabaseUnavailable,
    Reader,
    ReadFn,
    Row,
    Transaction,
    WriteFn,
)
from tutorgpt_asgi.store.migrations import apply_migrations

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: How many queued calls one transaction (or one hop of reads) takes at most, so a flood
#: cannot starve commits.
MAX_BATCH = 256


Params = Sequence[Any] | Mapping[str, Any]


def _fetchall(connection: sqlite3.Connection, sql: str, params: Params) -> list[Row]:
    cursor = connection.execute(sql, params if isinstance(params, Mapping) else tuple(params))
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


class SQLiteReader(Reader):
    """Queries on the reader connection; each method completes without suspending.

    Named parameters (a mapping) work on SQLite only: the book index, which is SQLite by design,
    uses them; service code writes ``?`` so it runs on PostgreSQL too.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return _fetchall(self.connection, sql, params)


class SQLiteTransaction(Transaction):
    """Statements on the writer connection; each method completes without suspending."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = self.connection.execute(sql, tuple(params))
        count = cursor.rowcount
        cursor.close()
        return count

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.connection.executemany(sql, (tuple(row) for row in rows)).close()

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return _fetchall(self.connection, sql, params)


def _drive(fn: Callable[[Any], Any], tx: Reader) -> Any:
    """Run ``fn(tx)`` to completion in this thread: it only awaits ``tx``, which never suspends."""
    coroutine = fn(tx)
    if not isinstance(coroutine, Coroutine):
        raise TypeError(f"store functions are `async def fn(tx)`; {fn!r} returned {type(coroutine).__name__}")
    try:
        coroutine.send(None)
    except StopIteration as finished:
        return finished.value
    coroutine.close()
    raise RuntimeError("a store function awaited something other than its transaction or reader")


def _read(connection: sqlite3.Connection, fn: ReadFn[T]) -> T:
    return cast(T, _drive(fn, SQLiteReader(connection)))


#: Free pages (4 KiB) given back per step of :meth:`SQLiteDatabase.reclaim_space`, the most
#: steps one call takes (about 50 MB), and the pause that lets requests write between steps.
VACUUM_STEP = 128
VACUUM_MAX_STEPS = 100
VACUUM_PAUSE = 0.02


def _vacuum_step(connection: sqlite3.Connection) -> bool:
    """Free up to ``VACUUM_STEP`` pages; whether free pages remain.

    ``executescript`` steps the pragma to its end; ``execute`` would free one page per step.
    """
    connection.executescript(f"PRAGMA incremental_vacuum({VACUUM_STEP:d});")
    return int(connection.execute("PRAGMA freelist_count").fetchone()[0]) > 0


def _configure(connection: sqlite3.Connection, synchronous: str) -> None:
    connection.row_factory = sqlite3.Row
    # Takes effect on a new file only (before its first table); an older file needs one VACUUM
    # to switch (see "Data lifecycle" in the README).
    connection.execute("PRAGMA auto_vacuum=INCREMENTAL")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA synchronous={synchronous}")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA busy_timeout=5000")


def _connect_reader(path: str) -> sqlite3.Connection:
    """A read-only connection (``query_only``) for the reader thread."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA busy_timeout=5000")
    connection.execute("PRAGMA query_only=ON")
    return connection


class _WriteRaised(Exception):
    """A write function raised during a batch's first pass: run the batch again, isolated."""


def _run_batch(connection: sqlite3.Connection, fns: list[WriteFn[Any]]) -> Outcomes:
    """Run every function in one transaction and COMMIT; ``(ok, value or exception)`` each.

    A savepoint per function would let one failure roll back alone, but it costs: 40 of the
    ~110 µs of writer CPU per ``POST /session`` (four rows), measured in process. So the batch
    first runs without savepoints, and only when a function raises is the whole transaction
    rolled back and run again with one savepoint per function (:func:`_isolated`): the common
    case pays nothing, a failure costs one more pass. Write functions only touch their
    transaction, so running them again after a rollback is safe.

    An exception escaping this function means the transaction itself failed (disk full, I/O
    error) and nothing of the batch was committed.
    """
    tx = SQLiteTransaction(connection)
    try:
        values = _in_transaction(connection, lambda: [_drive_write(fn, tx) for fn in fns])
    except _WriteRaised:
        return _in_transaction(connection, lambda: [_isolated(connection, fn, tx) for fn in fns])
    return [(True, value) for value in values]


def _in_transaction(connection: sqlite3.Connection, body: Callable[[], T]) -> T:
    """``body()`` between ``BEGIN IMMEDIATE`` and ``COMMIT``; rolled back if anything raises."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        value = body()
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return value


def _drive_write(fn: WriteFn[Any], tx: SQLiteTransaction) -> Any:
    try:
        return _drive(fn, tx)
    except Exception as error:
        raise _WriteRaised from error


def _isolated(connection: sqlite3.Connection, fn: WriteFn[Any], tx: SQLiteTransaction) -> tuple[bool, Any]:
    """``fn`` in its own savepoint: if it raises, its changes are rolled back alone and the
    exception becomes its outcome; the batch goes on."""
    connection.execute("SAVEPOINT job")
    try:
        value = _drive(fn, tx)
    except Exception as error:
        connection.execute("ROLLBACK TO job")
        connection.execute("RELEASE job")
        return False, error
    connection.execute("RELEASE job")
    return True, value


class SQLiteDatabase(Database):
    """An SQLite file behind the store interface."""

    engine = "sqlite"

    def __init__(
        self,
        path: str,
        *,
        synchronous: str = "NORMAL",
        migrate: Callable[[sqlite3.Connection], object] = apply_migrations,
    ) -> None:
        self.path = path
        self.migrate = migrate
        self.display_url = f"sqlite:///{path}"
        self.synchronous = synchronous
        self._writer_thread: BatchThread | None = None
        self._writer: sqlite3.Connection | None = None
        self._reader_thread: BatchThread | None = None
        self._reader: sqlite3.Connection | None = None

    async def open(self) -> None:
        """Connect, migrate the schema, and start the writer and the reader."""
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._writer_thread = BatchThread(f"sqlite-writer:{self.path}", MAX_BATCH)
            self._writer = await self._writer_thread.in_thread(self._open_writer)
            self._reader_thread = BatchThread(f"sqlite-reader:{self.path}", MAX_BATCH)
            self._reader = await self._reader_thread.in_thread(_connect_reader, self.path)
        except (OSError, sqlite3.DatabaseError) as error:
            await self.close()
            raise DatabaseUnavailable(f"cannot open {self.display_url}: {error}") from error
        self._writer_thread.start(partial(_run_batch, self._writer))
        self._reader_thread.start_each(partial(_read, self._reader))

    def _open_writer(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            _configure(connection, self.synchronous)
            self.migrate(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    async def close(self) -> None:
        """Finish queued writes and reads, stop both threads, and close both connections."""
        for thread, connection in ((self._writer_thread, self._writer), (self._reader_thread, self._reader)):
            if thread is None:
                continue
            await thread.stop()  # runs what is queued first
            if connection is not None:
                connection.close()  # the thread has ended: nothing else uses it
        self._writer_thread = self._reader_thread = None
        self._writer = self._reader = None

    async def write(self, fn: WriteFn[T]) -> T:
        """Run ``fn(tx)`` in the next group transaction; return once it is committed."""
        if self._writer_thread is None or not self._writer_thread.running:
            raise DatabaseClosed(f"database {self.display_url} is not open")
        return cast(T, await self._writer_thread.call(fn))

    async def read(self, fn: ReadFn[T]) -> T:
        """Run ``fn(reader)`` in the reader thread, in one hop with whatever reads are queued."""
        if self._reader_thread is None or not self._reader_thread.running:
            raise DatabaseClosed(f"database {self.display_url} is not open")
        return cast(T, await self._reader_thread.call(fn))

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows of a read-only query; see :class:`SQLiteReader` for ``params``."""

        async def rows(reader: Reader) -> list[Row]:
            return _fetchall(cast(SQLiteReader, reader).connection, sql, params)

        return await self.read(rows)

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        assert row is not None
        return int(row[0])

    async def reclaim_space(self) -> None:
        """Return free pages to the file system, a few at a time (incremental vacuum).

        Moving pages holds the writer: 2 000 pages took 220 ms on a busy 2-core machine, a p99
        spike for every request waiting to write. So each step frees ``VACUUM_STEP`` pages
        (about 10-25 ms) on the writer thread, and queued group commits run between steps.
        """
        for _ in range(VACUUM_MAX_STEPS):
            if self._writer_thread is None or self._writer is None:
                raise DatabaseClosed(f"database {self.display_url} is not open")
            if not await self._writer_thread.in_thread(_vacuum_step, self._writer):
                return
            await asyncio.sleep(VACUUM_PAUSE)
