"""Login codes on a real SQLite file: single use, 60 seconds, stored only as a hash."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tutorgpt_asgi.signin.store import CODE_TTL, LoginStore, VerifiedClaims
from tutorgpt_asgi.store.database import Database

ALICE = VerifiedClaims("https://id.example", "alice-123", "alice@example.com", "Alice")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(str(tmp_path / "t.db"))
    await database.open()
    yield database
    await database.close()


@pytest.mark.anyio
async def test_a_login_code_works_once(db: Database) -> None:
    store = LoginStore(db)
    code = await store.issue_code(ALICE)

    assert await store.redeem_code(code) == ALICE
    assert await store.redeem_code(code) is None
    assert await db.fetchall("SELECT * FROM login_codes") == []


@pytest.mark.anyio
async def test_concurrent_redemptions_of_one_code_let_one_through(db: Database) -> None:
    store = LoginStore(db)
    code = await store.issue_code(ALICE)

    results = await asyncio.gather(*(store.redeem_code(code) for _ in range(8)))
    assert results.count(ALICE) == 1 and results.count(None) == 7


@pytest.mark.anyio
async def test_a_login_code_expires_after_sixty_seconds(db: Database) -> None:
    clock = Clock()
    store = LoginStore(db, clock)
    fresh, stale = await store.issue_code(ALICE), await store.issue_code(ALICE)

    clock.now += CODE_TTL - timedelta(seconds=1)
    assert await store.redeem_code(fresh) == ALICE
    clock.now += timedelta(seconds=1)
    assert CODE_TTL == timedelta(seconds=60)
    assert await store.redeem_code(stale) is None


@pytest.mark.anyio
async def test_only_the_hash_of_a_code_is_stored(db: Database) -> None:
    code = await LoginStore(db).issue_code(ALICE)

    rows = await db.fetchall("SELECT * FROM login_codes")
    assert [row["code_hash"] for row in rows] == [hashlib.sha256(code.encode()).hexdigest()]
    assert all(code not in str(value) for row in rows for value in tuple(row))
    assert await LoginStore(db).redeem_code("lc_" + "x" * 43) is None
