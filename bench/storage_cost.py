"""Storage cost per session and per chat turn, on SQLite and PostgreSQL: ``python -m bench.storage_cost``.

Creates sessions through the real ``SessionService`` (each an anonymous student with a page
context and a first visit, as ``POST /session`` with the plugin's body does) and turns through
the real ``ThreadStore`` (a 40-word question and a 250-word answer with one citation, stored as
their wire JSON), then reads the size the database grew by: SQLite's pages in use
(``page_count - freelist_count``), PostgreSQL's ``pg_database_size`` (indexes included). Then
runs one purge with the clock past every retention, to show what it gives back.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import shared
from tutorgpt_asgi.chatkit.threads import ThreadRecord, ThreadStore
from tutorgpt_asgi.chatkit.types import (
    Annotation,
    AssistantMessageItem,
    InputText,
    OutputText,
    UrlSource,
    UserMessageItem,
)
from tutorgpt_asgi.clock import stored
from tutorgpt_asgi.sessions.context import PageContext, SessionRequest
from tutorgpt_asgi.sessions.lifecycle import Purger, RetentionPolicy
from tutorgpt_asgi.sessions.service import SessionPolicy, SessionService
from tutorgpt_asgi.store.connect import database_for
from tutorgpt_asgi.store.database import Database

CONTEXT = PageContext(
    page_path="/docs/foundations/agent-loop", page_title="The agent loop | Build Your First AI Tutor",
    current_chapter="ai-agents", current_lesson="agent-loop",
)
QUESTION = " ".join(["why does the loop stop when the model answers without a tool call"] * 3)
ANSWER = " ".join(["The loop ends when a reply carries no tool call, so the answer is final."] * 18)


async def _size(db: Database) -> int:
    if db.engine == "sqlite":
        row = await db.fetchone("SELECT (SELECT page_count FROM pragma_page_count)"
                                " - (SELECT freelist_count FROM pragma_freelist_count)")
        page = await db.fetchone("PRAGMA page_size")
        assert row is not None and page is not None
        return int(row[0]) * int(page[0])
    row = await db.fetchone("SELECT pg_database_size(current_database())")
    assert row is not None
    return int(row[0])


async def _turns(db: Database, student_id: str, count: int) -> None:
    store = ThreadStore(db)
    thread = ThreadRecord("thr_cost", "Why the loop stops", stored(datetime.now(UTC)))
    first = UserMessageItem(id="msg_u0", thread_id=thread.id, created_at=thread.created_at,
                            content=[InputText(text=QUESTION)])
    await store.create_thread(student_id, thread, first)
    for n in range(count):
        if n:
            await store.add_item(student_id, UserMessageItem(
                id=f"msg_u{n}", thread_id=thread.id, created_at=thread.created_at,
                content=[InputText(text=QUESTION)]))
        await store.add_item(student_id, _answer(thread.id, n))


def _answer(thread_id: str, n: int) -> AssistantMessageItem:
    citation = UrlSource(title="The agent loop › When it stops",
                         url="https://book.example/docs/foundations/agent-loop#when-it-stops")
    return AssistantMessageItem(
        id=f"msg_a{n}", thread_id=thread_id, created_at=stored(datetime.now(UTC)),
        content=[OutputText(text=ANSWER, annotations=[Annotation(source=citation, index=40)])],
    )


async def measure(url: str, sessions: int, turns: int) -> dict[str, float]:
    db = database_for(url, pool_size=4)
    await db.open()
    try:
        service = SessionService(db, SessionPolicy(timedelta(minutes=30), timedelta(hours=12), timedelta(minutes=5)))
        before = await _size(db)
        created = await asyncio.gather(*(service.create(SessionRequest(context=CONTEXT)) for _ in range(sessions)))
        after_sessions = await _size(db)
        session = await service.authenticate(created[0].client_secret)
        assert session is not None
        await _turns(db, session.student_id, turns)
        after_turns = await _size(db)
        later = datetime.now(UTC) + timedelta(days=365)
        policy = RetentionPolicy(timedelta(minutes=5), timedelta(days=90), timedelta(days=30), 60, 500)
        await Purger(db, policy, lambda: later).purge()
        await Purger(db, policy, lambda: later + timedelta(days=91)).purge()
        after_purge = await _size(db)
    finally:
        await db.close()
    return {
        "bytes_per_session": round((after_sessions - before) / sessions),
        "bytes_per_turn": round((after_turns - after_sessions) / turns),
        "bytes_left_after_purge": after_purge - before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.storage_cost")
    parser.add_argument("--sessions", type=int, default=5000)
    parser.add_argument("--turns", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("sqlite", asyncio.run(measure(f"sqlite:///{Path(tmp) / 'cost.db'}", args.sessions, args.turns)))
    databases = shared.BenchDatabases()
    try:
        print("postgresql", asyncio.run(measure(databases.create(), args.sessions, args.turns)))
    finally:
        databases.drop_all()


if __name__ == "__main__":
    main()
