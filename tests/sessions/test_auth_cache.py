"""Authentication reused for a short window: revoke, refresh, erase and expiry still hold at once.

Both engines: the service is the same; the runtime turns the cache on for SQLite only, but a
service given a window must behave the same on either.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from tutorgpt_asgi.clock import stored
from tutorgpt_asgi.runtime import Runtime
from tutorgpt_asgi.sessions.auth_cache import AUTH_CACHE_WINDOW
from tutorgpt_asgi.sessions.context import PageContext, SessionRequest
from tutorgpt_asgi.sessions.identity import VerifiedIdentity
from tutorgpt_asgi.sessions.service import SessionPolicy, SessionService
from tutorgpt_asgi.settings import load_settings
from tutorgpt_asgi.store.database import Database, ReadFn, Row, Transaction, WriteFn

pytestmark = pytest.mark.anyio

T = TypeVar("T")
START = datetime(2026, 1, 1, tzinfo=UTC)
WINDOW = timedelta(seconds=5)
POLICY = SessionPolicy(timedelta(minutes=30), timedelta(hours=12), timedelta(minutes=5))
PAGE = PageContext(page_path="/docs/intro")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def _service(db: Database, clock: Clock, policy: SessionPolicy = POLICY) -> SessionService:
    return SessionService(db, policy, clock, auth_cache=WINDOW)


async def _revoke_behind_its_back(db: Database, secret_session_id: str) -> None:
    """What another process (or an operator's SQL) would do: this process hears nothing."""

    async def revoke(tx: Transaction) -> None:
        await tx.execute("UPDATE sessions SET revoked_at = ? WHERE id = ?", (stored(START), secret_session_id))

    await db.write(revoke)


async def test_a_session_is_reused_for_the_window_then_read_again(db: Database) -> None:
    clock = Clock()
    sessions = _service(db, clock)
    created = await sessions.create(SessionRequest(context=PAGE))
    assert await sessions.authenticate(created.client_secret) is not None
    await _revoke_behind_its_back(db, created.session_id)
    clock.now += WINDOW - timedelta(milliseconds=1)
    assert await sessions.authenticate(created.client_secret) is not None  # the window: documented
    clock.now += timedelta(milliseconds=1)
    assert await sessions.authenticate(created.client_secret) is None


async def test_revoke_takes_effect_at_once(db: Database) -> None:
    sessions = _service(db, Clock())
    created = await sessions.create(SessionRequest(context=PAGE))
    session = await sessions.authenticate(created.client_secret)
    assert session is not None
    await sessions.revoke(session)
    assert await sessions.authenticate(created.client_secret) is None


async def test_refresh_takes_effect_at_once(db: Database) -> None:
    sessions = _service(db, Clock())
    created = await sessions.create(SessionRequest(context=PAGE))
    assert await sessions.authenticate(created.client_secret) is not None
    refreshed = await sessions.refresh(created.client_secret)
    assert refreshed is not None
    assert await sessions.authenticate(created.client_secret) is None
    session = await sessions.authenticate(refreshed.client_secret)
    assert session is not None and session.session_id == created.session_id


async def test_erase_ends_every_session_of_the_student_at_once(db: Database) -> None:
    sessions = _service(db, Clock())
    first = await sessions.create(SessionRequest(context=PAGE))
    second = await sessions.create(SessionRequest(context=PAGE, student_key=first.student_key))
    session = await sessions.authenticate(first.client_secret)
    assert session is not None and await sessions.authenticate(second.client_secret) is not None
    await sessions.erase(session)
    assert await sessions.authenticate(first.client_secret) is None
    assert await sessions.authenticate(second.client_secret) is None


async def test_expiry_is_honoured_inside_the_window(db: Database) -> None:
    clock = Clock()
    short = SessionPolicy(timedelta(seconds=3), timedelta(seconds=3), timedelta(minutes=5))
    sessions = _service(db, clock, short)
    created = await sessions.create(SessionRequest(context=PAGE))
    clock.now += timedelta(seconds=1)
    assert await sessions.authenticate(created.client_secret) is not None
    clock.now += timedelta(seconds=2)  # 3 s after creation: inside the 5 s window, but expired
    assert await sessions.authenticate(created.client_secret) is None


async def test_a_new_profile_and_a_new_location_are_seen_at_once(db: Database) -> None:
    sessions = _service(db, Clock())
    created = await sessions.create(SessionRequest(context=PAGE))
    session = await sessions.authenticate(created.client_secret)
    assert session is not None and session.student_name is None
    elsewhere = PageContext(page_path="/docs/loops")
    await sessions.update_location(session, elsewhere)
    assert (await sessions.authenticate(created.client_secret)).location == elsewhere  # type: ignore[union-attr]
    await sessions.create(SessionRequest(context=PAGE, student_key=created.student_key, student_name="Ada"))
    assert (await sessions.authenticate(created.client_secret)).student_name == "Ada"  # type: ignore[union-attr]


async def test_a_sign_in_that_merges_a_student_drops_its_sessions(db: Database) -> None:
    sessions = _service(db, Clock())
    identity = VerifiedIdentity("https://login.example", "ada", "ada@example.com", signed_in=True)
    await sessions.create(SessionRequest(context=PAGE), identity)  # Ada is known
    anonymous = await sessions.create(SessionRequest(context=PAGE))
    before = await sessions.authenticate(anonymous.client_secret)
    await sessions.create(SessionRequest(context=PAGE, student_key=anonymous.student_key), identity)
    after = await sessions.authenticate(anonymous.client_secret)
    assert before is not None and after is not None
    assert after.student_id != before.student_id  # now Ada's: the merged student is gone


class HeldReads(Database):
    """The real database; each read, once it has run, waits for ``release`` before returning."""

    def __init__(self, inner: Database) -> None:
        self.inner, self.engine, self.display_url = inner, inner.engine, inner.display_url
        self.read_done, self.release = asyncio.Event(), asyncio.Event()

    async def read(self, fn: ReadFn[T]) -> T:
        result = await self.inner.read(fn)
        self.read_done.set()
        await self.release.wait()
        return result

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return await self.read(lambda reader: reader.fetchall(sql, params))

    async def write(self, fn: WriteFn[T]) -> T:
        return await self.inner.write(fn)

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def reclaim_space(self) -> None: ...

    async def schema_version(self) -> int:
        return await self.inner.schema_version()


async def test_a_revoke_during_a_lookup_is_not_cached_over(db: Database) -> None:
    created = await SessionService(db, POLICY).create(SessionRequest(context=PAGE))
    session = await SessionService(db, POLICY).authenticate(created.client_secret)
    assert session is not None
    held = HeldReads(db)
    sessions = SessionService(held, POLICY, auth_cache=WINDOW)
    lookup = asyncio.create_task(sessions.authenticate(created.client_secret))
    await held.read_done.wait()  # it read the session while still live...
    await sessions.revoke(session)  # ...and the revoke commits before it returns
    held.release.set()
    assert await lookup is not None
    assert await sessions.authenticate(created.client_secret) is None


@pytest.mark.parametrize(
    ("url", "limits", "cached"),
    [
        ("sqlite:///{tmp}/main.db", "memory://", True),
        ("sqlite:///{tmp}/main.db", "redis://127.0.0.1:6379", False),  # several workers may share it
        ("postgresql://postgres@127.0.0.1/tutorgpt", "memory://", False),  # other hosts may share it
    ],
)
def test_the_runtime_caches_only_when_it_is_the_only_process(tmp_path: Any, url: str, limits: str,
                                                              cached: bool) -> None:
    settings = load_settings({"database_url": url.format(tmp=tmp_path), "rate_limit_storage": limits,
                              "book_database_url": f"sqlite:///{tmp_path}/book.db"}, environ={})
    sessions = Runtime(settings).sessions
    assert sessions.auth_cache == (AUTH_CACHE_WINDOW if cached else None)
