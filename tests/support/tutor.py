"""A TutorGPT app on its own real SQLite file, served over real HTTP, for endpoint tests."""

from __future__ import annotations

import sqlite3
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from tests.support.servers import serve
from tutorgpt_asgi import create_app


class ServedTutor:
    """The served app, an HTTP client for it, and direct access to its database file."""

    def __init__(self, app: Starlette, base_url: str, db_path: Path) -> None:
        self.app = app
        self.base_url = base_url
        self.db_path = db_path
        self.http = httpx.Client(base_url=base_url, timeout=10)

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        connection = sqlite3.connect(self.db_path)
        connection.row_factory = sqlite3.Row
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        connection = sqlite3.connect(self.db_path)
        try:
            connection.execute(sql, params)
            connection.commit()
        finally:
            connection.close()


def start_served(
    tmp_path: Path, stack: ExitStack, port: int | None = None, **settings: Any
) -> tuple[Starlette, str, Path]:
    """Create and serve an app with fresh database files; ``stack`` stops it."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    db_path = folder / "tutorgpt.db"
    settings.setdefault("database_url", f"sqlite:///{db_path}")
    settings.setdefault("book_database_url", f"sqlite:///{folder / 'book.db'}")
    app = create_app(**settings)
    base_url = stack.enter_context(serve(app, port=port))
    return app, base_url, db_path
