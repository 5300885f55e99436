"""An opened store of each engine: a new SQLite file, or a new PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support.databases import database_url
from tutorgpt_asgi.store.connect import database_for
from tutorgpt_asgi.store.database import Database


@pytest.fixture
def db_url(engine: str, tmp_path: Path) -> Iterator[str]:
    with database_url(engine, tmp_path) as url:
        yield url


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = database_for(db_url, sqlite_synchronous="FULL", pool_size=4)
    await database.open()
    try:
        yield database
    finally:
        await database.close()
