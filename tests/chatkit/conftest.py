"""A served TutorGPT app whose ChatKit server answers with a scripted responder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from starlette.applications import Starlette

from tests.chatkit.conformance import parse_sse
from tests.chatkit.scripted import ScriptedResponder
from tests.support.tutor import ServedTutor, start_served
from tutorgpt_asgi.chatkit.server import ChatKitServer


class Chat:
    """One student's side: a session secret and helpers for protocol requests."""

    def __init__(self, http: httpx.Client, secret: str, session_id: str, key: str | None = None) -> None:
        self.http = http
        self.secret = secret
        self.session_id = session_id
        self.key = key

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


class Tutor(ServedTutor):
    """The served app, its scripted responder and its database file."""

    def __init__(self, app: Starlette, base_url: str, db_path: Path, responder: ScriptedResponder) -> None:
        super().__init__(app, base_url, db_path)
        self.responder = responder

    def student(self, **body: Any) -> Chat:
        """A new session: a new student unless ``student_key`` (or another proof) names one."""
        response = self.http.post("/session", json=body)
        assert response.status_code == 201, response.text
        created = response.json()
        return Chat(self.http, created["client_secret"], created["session_id"], created.get("student_key"))


@pytest.fixture
def make_tutor(tmp_path: Path) -> Iterator[Callable[..., Tutor]]:
    """Serve TutorGPT over real HTTP with a scripted responder; settings as keywords."""
    with ExitStack() as stack:

        def start(responder: ScriptedResponder | None = None, **settings: Any) -> Tutor:
            app, base_url, db_path = start_served(tmp_path, stack, **settings)
            runtime = app.state.runtime
            responder = responder or ScriptedResponder()
            runtime.chatkit = ChatKitServer(runtime.db, responder, runtime.message_limiter)
            return Tutor(app, base_url, db_path, responder)

        yield start


@pytest.fixture
def tutor(make_tutor: Callable[..., Tutor]) -> Tutor:
    return make_tutor()
