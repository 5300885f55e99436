"""A client that sends only ``page_path`` (as the contract allows) still gets lesson scope.

Before, a session or context header with a page path but no ids had no chapter or lesson,
although the index knows which lesson lives at that path.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.web.conftest import Tutor
from tutorgpt_asgi.sessions.context import PageContext, encode_context_header

EXPORT = Path(__file__).resolve().parents[1] / "fixtures" / "book" / "book-index.json"


@pytest.fixture
def booked(make_tutor) -> Tutor:  # type: ignore[no-untyped-def]
    tutor: Tutor = make_tutor(book=str(EXPORT))
    return tutor


TUNE = "/docs/advanced/tune"


@pytest.mark.parametrize("page_path", [TUNE, f"{TUNE}/", f"/fr{TUNE}", f"{TUNE}/index.html"])
def test_a_session_with_only_a_page_path_gets_its_lesson(booked: Tutor, page_path: str) -> None:
    response = booked.create_session({"page_path": page_path})
    assert response.status_code == 201
    [row] = booked.rows("SELECT current_chapter, current_lesson, context_json FROM sessions")
    assert (row["current_chapter"], row["current_lesson"]) == ("advanced", "tuning-guide")
    context = json.loads(row["context_json"])
    assert context["doc_id"] == "advanced/tuning-guide" and context["version"] == "current"
    assert context["page_path"] == page_path, "what the reader sent is kept"


def test_ids_the_client_sent_are_never_replaced(booked: Tutor) -> None:
    booked.create_session({"page_path": "/docs/advanced/tune", "current_chapter": "x", "current_lesson": "y"})
    [row] = booked.rows("SELECT current_chapter, current_lesson FROM sessions")
    assert (row["current_chapter"], row["current_lesson"]) == ("x", "y")


def test_the_context_header_with_only_a_page_path_records_the_lesson(booked: Tutor) -> None:
    secret = booked.create_session({}).json()["client_secret"]
    header = encode_context_header(PageContext(page_path="/docs/basics/"))
    response = booked.http.post(
        "/", json={"type": "threads.list", "params": {}},
        headers={"Authorization": f"Bearer {secret}", "X-TutorGPT-Context": header},
    )
    assert response.status_code == 200
    [row] = booked.rows("SELECT current_chapter, current_lesson FROM sessions")
    assert (row["current_chapter"], row["current_lesson"]) == ("widgets", "overview")
    [visit] = booked.rows("SELECT lesson_id FROM visits")
    assert visit["lesson_id"] == "overview"


def test_an_unknown_page_path_keeps_no_lesson(booked: Tutor) -> None:
    assert booked.create_session({"page_path": "/blog/post"}).status_code == 201
    [row] = booked.rows("SELECT current_lesson FROM sessions")
    assert row["current_lesson"] is None
