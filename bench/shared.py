"""PostgreSQL databases for the ``shared`` cases (issue 15); their Redis is ``bench.limits_redis``.

Each server gets a database of its own, ``tutorgpt_bench_<random>``, created on the server named
by ``TUTORGPT_BENCH_POSTGRES_URL`` and dropped when the run ends; nothing else is touched.
"""

from __future__ import annotations

import asyncio
import os

from tutorgpt_asgi.testing.postgres_admin import create_database, drop_database

ADMIN_URL = os.environ.get("TUTORGPT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


class BenchDatabases:
    """The databases this run created, dropped together at the end."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def create(self) -> str:
        url = asyncio.run(create_database(ADMIN_URL, "tutorgpt_bench"))
        self.urls.append(url)
        return url

    def drop_all(self) -> None:
        for url in self.urls:
            asyncio.run(drop_database(ADMIN_URL, url))
        self.urls.clear()
