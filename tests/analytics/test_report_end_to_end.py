"""The issue's "done when": scripted turns across lessons over real HTTP (the scripted model
through the real openai SDK, and the offline tutor), then ``tutorgpt report`` as a real process;
its counts must match what was sent."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.analytics.support import BOOK_DOCS, SITE_URL, Reader, by_lesson, page, report_json, run_report
from tests.support.servers import serve
from tutorgpt_asgi import create_app
from tutorgpt_asgi.testing.openai_server import Reply, ScriptedModel, ToolCall, running

LOOP = page("ai-agents", "agent-loop", "/docs/foundations/agent-loop")
LOOP_HIGHLIGHT = page(
    "ai-agents", "agent-loop", "/docs/foundations/agent-loop",
    highlighted_text="for _turn in range(TURN_BUDGET):", highlight_anchor="why-the-loop-needs-a-limit",
)
CHUNKING = page("retrieval", "chunking", "/docs/retrieval/chunking")
PRICES = '{"tutor-model": {"prompt": 2.0, "completion": 8.0}}'
OFF_BOOK = "Who won the 1998 football world cup?"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ExitStack, Path]]:
    with ExitStack() as stack:
        yield stack, tmp_path / "main.db"


def _app(db: Path, tmp_path: Path, **settings: str) -> object:
    return create_app(
        database_url=f"sqlite:///{db}", book_database_url=f"sqlite:///{tmp_path / 'book.db'}",
        book=str(BOOK_DOCS), site_url=SITE_URL, **settings,
    )


def _search(query: str) -> Reply:
    call = ToolCall("search_book_content", f'{{"query": "{query}", "scope": "current_lesson"}}')
    return Reply(tool_calls=(call,), usage=(100, 10))


def test_scripted_model_turns_give_matching_counts(served: tuple[ExitStack, Path], tmp_path: Path) -> None:
    stack, db = served
    model = ScriptedModel()
    base = stack.enter_context(running(model))
    app = _app(db, tmp_path, model="tutor-model", openai_api_key="sk-test", openai_base_url=base)
    http = stack.enter_context(httpx.Client(base_url=stack.enter_context(serve(app)), timeout=30))  # type: ignore[arg-type]
    ann, bob, cy = Reader(http), Reader(http), Reader(http)

    model.enqueue(_search("turn budget"), Reply(text="Six loop iterations [1].", usage=(200, 20)), Reply(text="Budget"))
    first = ann.ask(LOOP, "What is the turn budget?")
    model.enqueue(Reply(text="Because it must stop.", usage=(300, 30)))
    ann.ask(LOOP, "Why is there a limit at all?", thread=first["thread_id"])
    model.enqueue(_search("range TURN_BUDGET"), Reply(text="It loops six times [1].", usage=(200, 20)),
                  Reply(text="The loop line"))
    highlighted = bob.ask(LOOP_HIGHLIGHT, "What does this line do?")
    model.enqueue(_search("world cup"), Reply(text="That is not in the book.", usage=(150, 15)),
                  Reply(text="Football"))
    bob.ask(CHUNKING, OFF_BOOK)
    model.enqueue(_search("chunk overlap"), Reply(text="15 percent [1].", usage=(200, 20)), Reply(text="Overlap"))
    overlap = cy.ask(CHUNKING, "What chunk overlap does the book use?")
    bob.rate(highlighted, "positive")
    cy.rate(overlap, "negative")

    report = report_json(db, "--show-text", TUTORGPT_MODEL_PRICES=PRICES)
    lessons = by_lesson(report)
    loop, chunking = lessons["ai-agents/agent-loop"], lessons["retrieval/chunking"]
    assert (loop["questions"], loop["students"], loop["threads"], loop["follow_ups"]) == (3, 2, 2, 1)
    assert loop["follow_ups_per_thread"] == 0.5
    assert (loop["thumbs_up"], loop["thumbs_down"], loop["thumbs_down_share"]) == (1, 0, 0.0)
    assert loop["not_in_book"] == 0 and loop["not_in_book_questions"] == []
    assert loop["passages"] == [{
        "anchor": "/docs/foundations/agent-loop#why-the-loop-needs-a-limit",
        "url": f"{SITE_URL}/docs/foundations/agent-loop#why-the-loop-needs-a-limit", "questions": 1,
    }]
    assert loop["page_url"] == f"{SITE_URL}/docs/foundations/agent-loop"
    assert (loop["prompt_tokens"], loop["completion_tokens"]) == (100 + 200 + 300 + 100 + 200, 10 + 20 + 30 + 10 + 20)
    assert loop["cost"] == pytest.approx((900 * 2.0 + 90 * 8.0) / 1e6)
    assert (chunking["questions"], chunking["students"], chunking["follow_ups"]) == (2, 2, 0)
    assert (chunking["thumbs_down"], chunking["thumbs_down_share"]) == (1, 1.0)
    assert chunking["not_in_book"] == 1 and chunking["not_in_book_questions"] == [OFF_BOOK]
    assert [c["chapter_id"] for c in report["chapters"]] == ["ai-agents", "retrieval"]
    assert report["total"]["questions"] == 5 and report["total"]["students"] == 3
    assert report["unpriced_models"] == []
    assert sum(d["questions"] for d in report["days"]) == 5

    rows = _records(db)
    assert all(row["first_delta_ms"] is not None and row["first_delta_ms"] >= 0 for row in rows)
    # The follow-up did not search; the off-book search widened from the lesson to the book.
    scopes = [row["searched_scope"] for row in sorted(rows, key=lambda row: row["created_at"])]
    assert scopes == ["current_lesson", None, "current_lesson", "entire_book", "current_lesson"]
    assert all(row["model"] == "tutor-model" for row in rows)


def test_report_formats_filters_and_text_only_on_request(served: tuple[ExitStack, Path], tmp_path: Path) -> None:
    stack, db = served
    http = stack.enter_context(httpx.Client(base_url=stack.enter_context(serve(_app(db, tmp_path))), timeout=30))  # type: ignore[arg-type]
    ann, bob = Reader(http), Reader(http)
    answer = ann.ask(LOOP, "What is the turn budget of an agent in this book?")
    assert "six loop iterations" in answer["content"][0]["text"]
    ann.ask(LOOP, "How does the loop end?", thread=answer["thread_id"])
    ann.rate(answer, "negative")
    off = bob.ask(CHUNKING, OFF_BOOK)
    assert "could not find" in off["content"][0]["text"]
    bob.ask(CHUNKING, "What chunk overlap does this book use?")

    report = report_json(db)
    lessons = by_lesson(report)
    loop, chunking = lessons["ai-agents/agent-loop"], lessons["retrieval/chunking"]
    assert (loop["questions"], loop["students"], loop["follow_ups"], loop["thumbs_down_share"]) == (2, 1, 1, 1.0)
    assert (chunking["questions"], chunking["not_in_book"], chunking["not_in_book_questions"]) == (2, 1, [])
    assert loop["cost"] == 0.0 and loop["prompt_tokens"] == 0  # the offline tutor uses no model
    cited = {row["item_id"]: (row["cited"], row["not_in_book"]) for row in _records(db)}
    assert sorted(cited.values()) == [(0, 1), (1, 0), (1, 0), (1, 0)]

    only = report_json(db, "--chapter", "retrieval", "--show-text")
    assert [s["lesson_id"] for s in only["lessons"]] == ["chunking"]
    assert only["lessons"][0]["not_in_book_questions"] == [OFF_BOOK]
    assert report_json(db, "--since", "2099-01-01")["total"]["questions"] == 0

    table = run_report(db)
    assert table.returncode == 0 and "agent-loop" in table.stdout and OFF_BOOK not in table.stdout
    csv = run_report(db, "--format", "csv").stdout.splitlines()
    assert csv[0].startswith("level,part,chapter,lesson,questions") and len(csv) == 1 + 2 + 2 + 1
    html = run_report(db, "--format", "html", "--show-text").stdout
    assert html.count("<svg") == 3 and OFF_BOOK in html and "http://" not in html.replace(SITE_URL, "")
    bad = run_report(db, "--since", "yesterday")
    assert bad.returncode == 2 and "error:" in bad.stderr and "Traceback" not in bad.stderr


def _records(db: Path) -> list[sqlite3.Row]:
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute("SELECT * FROM turn_records").fetchall()
    finally:
        connection.close()
