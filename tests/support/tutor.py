"""A TutorGPT app on its own real database (SQLite file or PostgreSQL), served over real HTTP."""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from tests.support.databases import SyncDatabase, database_url
from tests.support.servers import serve
from tutorgpt_asgi import create_app


class ServedTutor:
    """The served app, an HTTP client for it, and direct access to its database."""

    def __init__(self, app: Starlette, base_url: str, db: SyncDatabase) -> None:
        self.app = app
        self.base_url = base_url
        self.db = db
        #: The SQLite file, for the few tests about the file itself (``None`` on PostgreSQL).
        self.db_path = db.path
        self.http = httpx.Client(base_url=base_url, timeout=10)

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        return self.db.rows(sql, params)

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        self.db.execute(sql, params)


def start_served(
    tmp_path: Path, stack: ExitStack, engine: str = "sqlite", port: int | None = None, **settings: Any
) -> tuple[Starlette, str, SyncDatabase]:
    """Create and serve an app on a fresh database of ``engine``; ``stack`` stops it and drops it."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    if "database_url" not in settings:
        settings["database_url"] = stack.enter_context(database_url(engine, folder))
        settings.setdefault("database_pool_size", 4)
    settings.setdefault("book_database_url", f"sqlite:///{folder / 'book.db'}")
    app = create_app(**settings)
    base_url = stack.enter_context(serve(app, port=port))
    return app, base_url, SyncDatabase(settings["database_url"])
