"""The purge: expired secrets and idle anonymous students go, active data stays (both engines).

Anonymous means no verified identity: every student here claims an email, which keeps no one.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.databases import SyncDatabase
from tutorgpt_asgi.chatkit.threads import ThreadRecord, ThreadStore
from tutorgpt_asgi.chatkit.types import InputText, UserMessageItem
from tutorgpt_asgi.clock import stored
from tutorgpt_asgi.sessions.context import PageContext, SessionRequest
from tutorgpt_asgi.sessions.identity import VerifiedIdentity
from tutorgpt_asgi.sessions.lifecycle import PurgeCounts, Purger, RetentionPolicy
from tutorgpt_asgi.sessions.service import SessionPolicy, SessionService
from tutorgpt_asgi.store.database import Database

pytestmark = pytest.mark.anyio

START = datetime(2026, 1, 1, tzinfo=UTC)
GRACE = timedelta(minutes=5)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def _request() -> SessionRequest:
    return SessionRequest(context=PageContext(page_path="/docs/intro", current_lesson="intro"),
                          student_email="claimed@example.com")  # a claim: it keeps no one


async def _give_thread(db: Database, student_id: str) -> None:
    thread_id = f"thr_{student_id}"
    item = UserMessageItem(id=f"msg_{student_id}", thread_id=thread_id, created_at=stored(START),
                           content=[InputText(text="hello")])
    await ThreadStore(db).create_thread(student_id, ThreadRecord(thread_id, None, stored(START)), item)


async def test_purge_removes_expired_secrets_and_idle_anonymous_students_only(db: Database, main_db_url: str) -> None:
    clock = Clock()
    sessions = SessionService(db, SessionPolicy(timedelta(minutes=30), timedelta(hours=12), GRACE), clock)
    policy = RetentionPolicy(refresh_grace=GRACE, session_history=timedelta(days=90),
                             anonymous_retention=timedelta(days=30), interval=60, batch_size=2)
    purger = Purger(db, policy, clock)
    old = [await sessions.create(_request()) for _ in range(5)]  # 5 idle anonymous students
    named = await sessions.create(_request(), VerifiedIdentity("https://login.example", "kept", "kept@example.com"))
    chatty = await sessions.create(_request())
    chatty_student = (await sessions.authenticate(chatty.client_secret)).student_id
    await _give_thread(db, chatty_student)

    clock.now = START + timedelta(days=31)
    fresh = await sessions.create(_request())
    assert await purger.purge() == PurgeCounts(secrets=7, sessions=0, students=5)

    rows = SyncDatabase(main_db_url)
    assert await sessions.authenticate(fresh.client_secret) is not None  # active: untouched
    [fresh_row] = rows.rows("SELECT secret_hash, purged_at FROM sessions WHERE id = ?", (fresh.session_id,))
    assert bytes(fresh_row["secret_hash"]) == hashlib.sha256(fresh.client_secret.encode()).digest()
    assert fresh_row["purged_at"] is None
    assert not rows.rows("SELECT id FROM sessions WHERE id IN (?, ?, ?, ?, ?)", tuple(s.session_id for s in old))
    for kept in (named, chatty):  # metadata kept for GET /sessions; the secret is gone for good
        [row] = rows.rows("SELECT secret_hash, purged_at FROM sessions WHERE id = ?", (kept.session_id,))
        assert bytes(row["secret_hash"]) == f"purged:{kept.session_id}".encode()
        assert row["purged_at"] == stored(clock.now)
    assert len(await sessions.history(chatty_student)) == 1
    assert rows.rows("SELECT COUNT(*) FROM threads")[0][0] == 1
    assert rows.rows("SELECT COUNT(*) FROM visits")[0][0] == 3  # fresh, named, chatty

    clock.now += timedelta(days=91)  # past the history: purged sessions' metadata goes too
    # fresh's secret expires, then its student is idle too; the named and the chatty stay
    assert await purger.purge() == PurgeCounts(secrets=1, sessions=2, students=1)
    assert sorted(row["email"] for row in rows.rows("SELECT email FROM students")) == [
        "claimed@example.com", "kept@example.com"]  # the chatty one, and the verified one
    assert rows.rows("SELECT COUNT(*) FROM threads")[0][0] == 1
    assert await purger.purge() == PurgeCounts()
