"""A turn answered by the shipped default responder (the offline tutor) through the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.chatkit import requests as req
from tests.chatkit.conformance import THREAD, conform, conform_events, parse_sse
from tests.support.servers import serve
from tutorgpt_asgi import create_app

BOOK = Path(__file__).resolve().parents[1] / "fixtures" / "book" / "book-index.json"


def test_offline_tutor_answers_with_book_citations(tmp_path: Path) -> None:
    app = create_app(
        database_url=f"sqlite:///{tmp_path / 'main.db'}",
        book_database_url=f"sqlite:///{tmp_path / 'book.db'}",
        book=str(BOOK),
        site_url="https://book.example.com",
    )
    with serve(app) as base, httpx.Client(base_url=base, timeout=20) as http:
        secret = http.post("/session", json={}).json()["client_secret"]
        headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        response = http.post("/", content=req.create("How many rivets does a widget need?"),
                             headers=headers)
        assert response.status_code == 200, response.text
        events: list[dict[str, Any]] = parse_sse(response.content)
        conform_events(events)
        answer = events[-2]["item"]
        assert events[-1]["type"] == "thread.updated" and answer["type"] == "assistant_message"
        content = answer["content"][0]
        assert "never more and never fewer" in content["text"]
        assert any(a["source"]["url"].startswith("https://book.example.com/") for a in content["annotations"])
        thread = http.post("/", content=req.get(events[0]["thread"]["id"]), headers=headers)
        conform(THREAD, thread.json())
        assert thread.json()["items"]["data"][1] == answer
