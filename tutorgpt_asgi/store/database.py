"""The store's one interface: ``Database`` and the ``Transaction`` a write function receives.

Two engines implement it (``store/sqlite.py``, ``store/postgres.py``); ``store/connect.py``
picks one from the database URL. Service code sees only this module, so the SQL it writes must
run on both (see "Main database" in ``docs/ARCHITECTURE.md``):

- Parameters are written as ``?`` (qmark) everywhere. SQLite takes them as they are; the
  PostgreSQL engine rewrites a statement to ``$1, $2, ...`` once and caches the result.
- A write is an ``async def fn(tx) -> T`` that only awaits ``tx``'s methods. SQLite runs it
  inside its single writer thread without an event loop hop per statement (see
  ``store/sqlite.py``); PostgreSQL runs it in one transaction on a pooled connection.
- A read of several statements is an ``async def fn(reader) -> T`` that only awaits
  ``reader``: ``await db.read(fn)`` costs one thread hop on SQLite (a request's reads used to
  cost one hop each, about 40 µs apiece) and one pooled connection on PostgreSQL. Each statement
  sees the last committed state when it runs; the statements of one read are not one snapshot
  (nothing that reads several of them needs one).
- Times are ISO-8601 text, ids are text, secret hashes are bytes: the same values on both.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Row(Protocol):
    """A result row: by column name or position (``sqlite3.Row`` and ``asyncpg.Record`` both)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def keys(self) -> Any: ...


class DatabaseClosed(RuntimeError):
    """A query or write was made after the database was closed."""


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened; the message names what and why."""


class Reader(ABC):
    """What a read function may do: queries on the last committed state.

    A :class:`Transaction` is a reader too, so a function written for reads (a lookup that a
    write also needs) runs inside a write unchanged.
    """

    @abstractmethod
    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """All rows of a query."""

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, or ``None``."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None


class Transaction(Reader):
    """What a write function may do: statements inside the write's own transaction."""

    @abstractmethod
    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return how many rows it changed."""

    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement once per parameter row."""

    @abstractmethod
    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """All rows of a query (``RETURNING`` included), seeing this transaction's changes."""


WriteFn = Callable[[Transaction], Awaitable[T]]
ReadFn = Callable[[Reader], Awaitable[T]]


class Database(ABC):
    """An open main database: ``await write(fn)`` for changes, ``await read(fn)`` for several
    reads at once, ``fetchall``/``fetchone`` for one."""

    #: ``"sqlite"`` or ``"postgresql"``: for the few places (migrations, vacuum) that differ.
    engine: str
    #: The URL without its password, for logs and messages.
    display_url: str

    @abstractmethod
    async def open(self) -> None:
        """Connect and migrate the schema; raises :class:`DatabaseUnavailable` naming why not."""

    @abstractmethod
    async def close(self) -> None:
        """Finish writes in flight and close every connection."""

    @abstractmethod
    async def write(self, fn: WriteFn[T]) -> T:
        """Run ``fn(tx)`` in a transaction; return its value once committed (durable).

        If ``fn`` raises, its changes are rolled back and the exception reaches the caller.
        """

    @abstractmethod
    async def read(self, fn: ReadFn[T]) -> T:
        """Run ``fn(reader)``: read-only statements on one connection, for one hop in all.

        ``fn`` awaits only ``reader``'s methods (as a write function awaits only ``tx``'s).
        """

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """All rows of a read-only query, on the last committed state."""
        return await self.read(lambda reader: reader.fetchall(sql, params))

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a read-only query, or ``None``."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    @abstractmethod
    async def reclaim_space(self) -> None:
        """Give the space of deleted rows back after a purge."""

    @abstractmethod
    async def schema_version(self) -> int:
        """The number of the last migration applied."""
