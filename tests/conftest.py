"""Shared fixtures: anyio on asyncio, the database engine a test runs on, an opened store, and
the scripted model served over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support.databases import ENGINES, database_url
from tests.support.model import ModelServer
from tutorgpt_asgi.store.connect import database_for
from tutorgpt_asgi.store.database import Database
from tutorgpt_asgi.testing.openai_server import ScriptedModel, running


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``: store and service tests run once on each."""
    return str(request.param)


@pytest.fixture
def main_db_url(engine: str, tmp_path: Path) -> Iterator[str]:
    """A new main database of ``engine``: an SQLite file, or a PostgreSQL database dropped after."""
    with database_url(engine, tmp_path) as url:
        yield url


@pytest.fixture
async def db(main_db_url: str) -> AsyncIterator[Database]:
    """The store opened (and migrated) on :func:`main_db_url`."""
    database = database_for(main_db_url, sqlite_synchronous="FULL", pool_size=4)
    await database.open()
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture(scope="session")
def _served_model() -> Iterator[ModelServer]:
    """One scripted model server per run: starting uvicorn per test would dominate the time."""
    model = ScriptedModel()
    with running(model) as base_url:
        yield ModelServer(model, base_url)


@pytest.fixture
def model_server(_served_model: ModelServer) -> ModelServer:
    """The scripted server (started once), with an empty script and request log."""
    _served_model.model.reset()
    return _served_model
