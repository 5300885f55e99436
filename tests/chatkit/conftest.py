"""A served TutorGPT app whose ChatKit server answers with a scripted responder."""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from starlette.applications import Starlette

from tests.chatkit.conformance import parse_sse
from tests.chatkit.scripted import ScriptedResponder
from tests.support.servers import serve
from tutorgpt_asgi import create_app
from tutorgpt_asgi.chatkit.server import ChatKitServer


class Chat:
    """One student's side: a session secret and helpers for protocol requests."""

    def __init__(self, http: httpx.Client, secret: str, session_id: str) -> None:
        self.http = http
        self.secret = secret
        self.session_id = session_id

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}", **extra}

    def post(self, body: dict[str, Any] | bytes | str, **headers: str) -> httpx.Response:
        content = body if isinstance(body, bytes | str) else msgspec.json.encode(body)
        return self.http.post(
            "/", content=content, headers=self.headers(**{"Content-Type": "application/json", **headers})
        )

    def stream(self, body: dict[str, Any] | str, **headers: str) -> list[dict[str, Any]]:
        """A streaming request's events (after checking status and SSE headers)."""
        response = self.post(body, **headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/event-stream")
        return parse_sse(response.content)

    def json(self, body: dict[str, Any] | str, status: int = 200) -> Any:
        response = self.post(body)
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/json")
        return response.json()


class Tutor:
    """The served app, its scripted responder and its database file."""

    def __init__(self, app: Starlette, base_url: str, db_path: Path, responder: ScriptedResponder) -> None:
        self.app = app
        self.base_url = base_url
        self.db_path = db_path
        self.responder = responder
        self.http = httpx.Client(base_url=base_url, timeout=10)

    def student(self, **body: Any) -> Chat:
        """A new session (a new anonymous student unless ``student_email`` repeats)."""
        response = self.http.post("/session", json=body)
        assert response.status_code == 201, response.text
        created = response.json()
        return Chat(self.http, created["client_secret"], created["session_id"])

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


@pytest.fixture
def make_tutor(tmp_path: Path) -> Iterator[Callable[..., Tutor]]:
    """Serve TutorGPT over real HTTP with a scripted responder; settings as keywords."""
    contexts: list[Any] = []

    def start(responder: ScriptedResponder | None = None, **settings: Any) -> Tutor:
        db_path = tmp_path / f"tutorgpt-{len(contexts)}.db"
        settings.setdefault("database_url", f"sqlite:///{db_path}")
        settings.setdefault("book_database_url", f"sqlite:///{tmp_path / f'book-{len(contexts)}.db'}")
        app = create_app(**settings)
        context = serve(app)
        base_url = context.__enter__()
        contexts.append(context)
        runtime = app.state.runtime
        responder = responder or ScriptedResponder()
        runtime.chatkit = ChatKitServer(runtime.db, responder, runtime.message_limiter)
        return Tutor(app, base_url, db_path, responder)

    yield start
    for context in reversed(contexts):
        context.__exit__(None, None, None)


@pytest.fixture
def tutor(make_tutor: Callable[..., Tutor]) -> Tutor:
    return make_tutor()


def context_header(**fields: str) -> str:
    """``X-TutorGPT-Context`` for the given page fields (base64url JSON, unpadded)."""
    return base64.urlsafe_b64encode(msgspec.json.encode(fields)).decode().rstrip("=")
