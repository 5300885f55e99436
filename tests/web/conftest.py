"""A TutorGPT sub-app on a real SQLite file, served over real HTTP."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.support.servers import serve
from tutorgpt_asgi import create_app


class Tutor:
    """A served app plus direct access to its database file for assertions."""

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

    def create_session(self, body: dict[str, Any] | None = None, **headers: str) -> httpx.Response:
        return self.http.post("/session", json=body or {}, headers=headers)


@pytest.fixture
def make_tutor(tmp_path: Path) -> Iterator[Callable[..., Tutor]]:
    """Start a TutorGPT app with the given settings; each gets its own database file."""
    stack: list[Any] = []

    def start(**settings: Any) -> Tutor:
        db_path = tmp_path / f"tutorgpt-{len(stack)}.db"
        settings.setdefault("database_url", f"sqlite:///{db_path}")
        settings.setdefault("book_database_url", f"sqlite:///{tmp_path / f'book-{len(stack)}.db'}")
        app = create_app(**settings)
        context = serve(app)
        base_url = context.__enter__()
        stack.append(context)
        return Tutor(app, base_url, db_path)

    yield start
    for context in reversed(stack):
        context.__exit__(None, None, None)


@pytest.fixture
def tutor(make_tutor: Callable[..., Tutor]) -> Tutor:
    return make_tutor()
