"""The PostgreSQL engine: asyncpg with a connection pool, for several workers and hosts.

Every write function runs in its own transaction on a pooled connection; PostgreSQL's own
concurrency replaces SQLite's single writer, and a COMMIT that returned is durable (the
default ``synchronous_commit = on``). Statements arrive with ``?`` parameters and are
rewritten to ``$n`` once (``placeholders.numbered`` caches them); asyncpg then prepares and
caches each statement per connection.

Migrations run under ``pg_advisory_xact_lock``: workers and hosts that start together queue on
the lock, and each re-reads the schema version once it holds it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import asyncpg

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
from tutorgpt_asgi.store.migrations import Migration, available_migrations
from tutorgpt_asgi.store.placeholders import numbered

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: The advisory lock every TutorGPT process takes to migrate ("tutorgpt" as a 64-bit number).
MIGRATION_LOCK = int.from_bytes(b"tutorgpt", "big") & 0x7FFF_FFFF_FFFF_FFFF
#: Seconds to wait for a connection at start-up before naming the setting in an error.
CONNECT_TIMEOUT = 10.0

_VERSION_TABLE = """CREATE TABLE IF NOT EXISTS tutorgpt_schema (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"""


def _rowcount(status: str) -> int:
    """Rows changed, from a command tag such as ``UPDATE 3`` or ``INSERT 0 1``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PostgresReader(Reader):
    """Queries on one pooled connection, each at READ COMMITTED (no transaction around them)."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self.connection.fetch(numbered(sql), *params))


class PostgresTransaction(Transaction):
    """Statements on one pooled connection, inside the write's transaction."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return _rowcount(await self.connection.execute(numbered(sql), *params))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self.connection.executemany(numbered(sql), [tuple(row) for row in rows])

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self.connection.fetch(numbered(sql), *params))


async def apply_migrations(connection: asyncpg.Connection, migrations: list[Migration] | None = None) -> int:
    """Apply every migration newer than the database's version, each in its own transaction."""
    current = 0
    for migration in migrations if migrations is not None else available_migrations("postgresql"):
        async with connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await connection.execute(_VERSION_TABLE)
            current = await connection.fetchval("SELECT COALESCE(MAX(version), 0) FROM tutorgpt_schema")
            if migration.version > current:
                logger.info("Applying migration %s", migration.name)
                await connection.execute(migration.sql)
                await connection.execute(
                    "INSERT INTO tutorgpt_schema (version, name, applied_at) VALUES ($1, $2, $3)",
                    migration.version, migration.name, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                )
                current = migration.version
    return current


class PostgresDatabase(Database):
    """A PostgreSQL database behind the store interface."""

    engine = "postgresql"

    def __init__(self, dsn: str, *, display_url: str, pool_size: int = 10) -> None:
        self.dsn = dsn
        self.display_url = display_url
        self.pool_size = pool_size
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        """Create the pool and migrate; an unreachable server raises :class:`DatabaseUnavailable`."""
        try:
            self._pool = await asyncpg.create_pool(
                self.dsn, min_size=1, max_size=self.pool_size, timeout=CONNECT_TIMEOUT
            )
            async with self._pool.acquire() as connection:
                await apply_migrations(connection)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            await self.close()
            raise DatabaseUnavailable(
                f"cannot use {self.display_url}: {type(error).__name__}: {error}"
            ) from error

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    def _require_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise DatabaseClosed(f"database {self.display_url} is not open")
        return self._pool

    async def write(self, fn: WriteFn[T]) -> T:
        async with self._require_pool().acquire() as connection, connection.transaction():
            return await fn(PostgresTransaction(connection))

    async def read(self, fn: ReadFn[T]) -> T:
        """Run ``fn(reader)`` on one pooled connection, acquired once for all its statements."""
        async with self._require_pool().acquire() as connection:
            return await fn(PostgresReader(connection))

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self._require_pool().fetch(numbered(sql), *params))

    async def reclaim_space(self) -> None:
        """Nothing to do: autovacuum reuses the space of deleted rows."""

    async def schema_version(self) -> int:
        row = await self.fetchone("SELECT COALESCE(MAX(version), 0) FROM tutorgpt_schema")
        assert row is not None
        return int(row[0])
