"""Fixtures for the agent tests: a scripted OpenAI-compatible server on a loopback port, the
example book indexed into a real SQLite file, and real sessions for Jane and Bob.

The book is the example site's docs folder, whose ``golden-facts.json`` lists one distinctive
fact per lesson with the question, the expected phrase and the section that states it.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest

from tutorgpt_asgi.book.index import BookIndex
from tutorgpt_asgi.chatkit.responder import Responder, ResponderError, ResponderEvent, Turn, TurnContext
from tutorgpt_asgi.sessions.context import PageContext, SessionRequest
from tutorgpt_asgi.sessions.service import AuthenticatedSession, SessionPolicy, SessionService
from tutorgpt_asgi.store.connect import database_for

REPO = Path(__file__).resolve().parents[2]
BOOK_DOCS = REPO / "example-site" / "docs"
GOLDEN_FACTS: list[dict[str, str]] = json.loads(
    (REPO / "example-site" / "golden-facts.json").read_text(encoding="utf-8")
)["lessons"]
SITE_URL = "https://book.example"

#: Jane reads the agent-loop lesson with a line of its code highlighted.
JANE_LOCATION = PageContext(
    page_path="/docs/foundations/agent-loop",
    page_title="The agent loop | Build Your First AI Tutor",
    current_chapter="ai-agents",
    current_lesson="agent-loop",
    highlighted_text="for _turn in range(TURN_BUDGET):",
)


@pytest.fixture(scope="session")
def _book_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The example book, indexed once per run (the tests only read it)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('book') / 'book.db'}"

    async def build() -> None:
        async with await BookIndex.open(url, site_url=SITE_URL) as index:
            await index.index_path(BOOK_DOCS)

    anyio.run(build)
    return url


@pytest.fixture
async def book(_book_url: str) -> AsyncIterator[BookIndex]:
    index = await BookIndex.open(_book_url, site_url=SITE_URL)
    try:
        yield index
    finally:
        await index.close()


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[SessionService]:
    db = database_for(f"sqlite:///{tmp_path / 'main.db'}")
    await db.open()
    policy = SessionPolicy(timedelta(minutes=30), timedelta(hours=12), timedelta(minutes=5))
    try:
        yield SessionService(db, policy)
    finally:
        await db.close()


async def open_session(
    sessions: SessionService, email: str, name: str, level: str, location: PageContext
) -> AuthenticatedSession:
    """A real session, as ``POST /session`` makes it, authenticated by its secret."""
    request = SessionRequest(
        context=location, student_email=email, student_name=name, learning_level=level  # type: ignore[arg-type]
    )
    created = await sessions.create(request)
    session = await sessions.authenticate(created.client_secret)
    assert session is not None
    return session


@pytest.fixture
async def jane(sessions: SessionService) -> AuthenticatedSession:
    """Jane, intermediate, who also visited the prompts lesson before the agent-loop one."""
    session = await open_session(
        sessions, "jane@example.com", "Jane Doe", "intermediate",
        PageContext(page_path="/docs/foundations/prompts", current_chapter="ai-agents",
                    current_lesson="prompts"),
    )
    return await sessions.update_location(session, JANE_LOCATION)


FENCE = re.compile(r"^<<<(READER-DATA-[0-9a-f]{16})\n(.*?)\n\1>>>$", re.S | re.M)


def fenced_data(text: str) -> Any:
    """The JSON inside the one reader-data fence of a prompt or tool result."""
    [(_, body)] = FENCE.findall(text)
    return json.loads(body)


def turn_for(
    session: AuthenticatedSession, text: str, **fields: Any
) -> Turn:
    """A turn asked from the session's current location."""
    context = TurnContext(
        session_id=session.session_id,
        student_id=session.student_id,
        student_name=session.student_name,
        learning_level=fields.pop("level", session.learning_level),
        location=fields.pop("location", session.location),
    )
    return Turn(
        thread_id="thr_test",
        user_text=text,
        quoted_text=fields.pop("quoted_text", None),
        context=context,
        history=fields.pop("history", ()),
    )


async def collect(responder: Responder, turn: Turn) -> tuple[list[ResponderEvent], ResponderError | None]:
    """Every event of the turn, and the reader-facing error that ended it, if any."""
    events: list[ResponderEvent] = []
    try:
        async for event in responder.respond(turn):
            events.append(event)
    except ResponderError as error:
        return events, error
    return events, None
