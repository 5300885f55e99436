"""PostgreSQL databases and the Redis URL for the ``shared`` cases (issue 15).

Each server gets a database of its own, ``tutorgpt_bench_<random>``, created on the server named
by ``TUTORGPT_BENCH_POSTGRES_URL`` and dropped when the run ends; nothing else is touched.
Redis is the shared one; the session cases send a distinct client address per request, so no
key collides with anyone else's.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ADMIN_URL = os.environ.get("TUTORGPT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TUTORGPT_BENCH_REDIS_URL", "redis://127.0.0.1:6379")


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL, timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


class BenchDatabases:
    """The databases this run created, dropped together at the end."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def create(self) -> str:
        name = f"tutorgpt_bench_{secrets.token_hex(5)}"
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return urlunsplit(urlsplit(ADMIN_URL)._replace(path=f"/{name}"))

    def drop_all(self) -> None:
        for name in self.names:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.names.clear()
