"""The protocol endpoint inside a host app: ``POST /api/chatkit`` with and without a slash."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from tests.chatkit import requests as req
from tests.chatkit.conformance import THREAD_PAGE, conform, conform_events, parse_sse
from tests.chatkit.scripted import ScriptedResponder
from tests.support.servers import serve
from tutorgpt_asgi import TutorGPTMount, create_app
from tutorgpt_asgi.chatkit.server import ChatKitServer


@pytest.mark.parametrize("path", ["/api/chatkit/", "/api/chatkit"])
def test_mounted_endpoint_answers_without_redirects(tmp_path: Path, path: str) -> None:
    tutor = create_app(
        database_url=f"sqlite:///{tmp_path / 'main.db'}",
        book_database_url=f"sqlite:///{tmp_path / 'book.db'}",
    )
    host = Starlette(routes=[TutorGPTMount("/api/chatkit", app=tutor)], lifespan=tutor.router.lifespan_context)
    with serve(host) as base_url, httpx.Client(base_url=base_url, timeout=10) as http:
        runtime = tutor.state.runtime
        runtime.chatkit = ChatKitServer(runtime.db, ScriptedResponder(), runtime.message_limiter)
        created = http.post("/api/chatkit/session", json={})
        assert created.status_code == 201, created.text
        headers = {"Authorization": f"Bearer {created.json()['client_secret']}",
                   "Content-Type": "application/json"}
        response = http.post(path, content=req.create(f"asked at {path}"), headers=headers)
        assert response.status_code == 200, (response.status_code, response.text)
        conform_events(parse_sse(response.content))
        listed = http.post(path, content=req.list_threads(), headers=headers)
        assert listed.status_code == 200
        page = conform(THREAD_PAGE, listed.json())
        assert [t.title for t in page.data] == [f"On asked at {path}"]
