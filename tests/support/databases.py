"""Real databases for tests: an SQLite file, or a PostgreSQL database made for one test.

PostgreSQL databases are created as ``tutorgpt_t_<random>`` on the server named by
``TUTORGPT_TEST_POSTGRES_URL`` (default: 127.0.0.1:5432 as user postgres, trust auth, which
``scripts/test.sh`` starts when none listens) and dropped afterwards; nothing else on the
server is touched. :class:`SyncDatabase` lets synchronous test code look at and change rows
with the same ``?`` SQL the services write.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg

from tutorgpt_asgi.store.placeholders import numbered
from tutorgpt_asgi.testing.postgres_admin import create_database, drop_database

ENGINES = ("sqlite", "postgresql")
ADMIN_URL = os.environ.get("TUTORGPT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _in_own_loop(coroutine: Any) -> Any:
    """Run a coroutine on a fresh event loop in a helper thread (callers may have a loop)."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = asyncio.run(coroutine)
        except BaseException as error:  # re-raised in the caller's thread
            result["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; yields its URL, drops it afterwards."""
    url: str = _in_own_loop(create_database(ADMIN_URL, "tutorgpt_t"))
    try:
        yield url
    finally:
        _in_own_loop(drop_database(ADMIN_URL, url))


@contextmanager
def database_url(engine: str, folder: Path) -> Iterator[str]:
    """A main-database URL of ``engine``: a new SQLite file in ``folder`` or a new PG database."""
    if engine == "sqlite":
        yield f"sqlite:///{folder / 'tutorgpt.db'}"
    else:
        with postgres_database() as url:
            yield url


class SyncDatabase:
    """Blocking access to a test's database for assertions and for setting up odd states."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = "sqlite" if url.startswith("sqlite:") else "postgresql"
        self.path = Path(url.removeprefix("sqlite:///")) if self.engine == "sqlite" else None

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        if self.path is not None:
            connection = sqlite3.connect(self.path)
            connection.row_factory = sqlite3.Row
            try:
                return connection.execute(sql, params).fetchall()
            finally:
                connection.close()
        return list(_in_own_loop(self._pg("fetch", sql, params)))

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        if self.path is not None:
            connection = sqlite3.connect(self.path)
            try:
                connection.execute(sql, params)
                connection.commit()
            finally:
                connection.close()
            return
        _in_own_loop(self._pg("execute", sql, params))

    async def _pg(self, method: str, sql: str, params: tuple[Any, ...]) -> Any:
        connection = await asyncpg.connect(self.url, timeout=10)
        try:
            return await getattr(connection, method)(numbered(sql), *params)
        finally:
            await connection.close()
