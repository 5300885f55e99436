"""Data lifecycle: purge what the service no longer needs, a small batch at a time.

Nothing else deletes: without this, every ``POST /session`` leaves about 1.4 KB forever.

- A session expired for longer than the refresh grace can never be used or refreshed again;
  its secret hash is replaced by a tombstone (``purged:<id>``, longer than any SHA-256 digest,
  so no secret can match it) and ``purged_at`` is set. The row stays for ``GET /sessions``.
- Purged sessions older than ``session_history_days`` are deleted.
- Anonymous students (no verified identity: at most a student key) with no thread and no
  session active within ``anonymous_retention_days`` are deleted with their sessions, key and
  visits (foreign keys cascade); a claimed email does not make a student known.

Each batch is one short write (``purge_batch_size`` rows), so on SQLite it shares the single
writer with requests for milliseconds at a time. Every worker runs a purger; they do the same
idempotent work, so two at once only split it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from tutorgpt_asgi.clock import Clock, stored, utc_now
from tutorgpt_asgi.settings import Settings
from tutorgpt_asgi.store.database import Database, Transaction

logger = logging.getLogger(__name__)

#: One batch of one purge phase: ``step(tx, batch_size) -> rows handled``.
_Step = Callable[[Transaction, int], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long each kind of data is kept, and how the purge paces itself."""

    refresh_grace: timedelta
    session_history: timedelta
    anonymous_retention: timedelta
    interval: float
    batch_size: int

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        return cls(
            refresh_grace=timedelta(seconds=settings.session_refresh_grace),
            session_history=timedelta(days=settings.session_history_days),
            anonymous_retention=timedelta(days=settings.anonymous_retention_days),
            interval=settings.purge_interval,
            batch_size=settings.purge_batch_size,
        )


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    """What one purge round removed."""

    secrets: int = 0
    sessions: int = 0
    students: int = 0


async def _forget_secrets(tx: Transaction, cutoff: str, now: str, limit: int) -> int:
    rows = await tx.fetchall(
        "SELECT id FROM sessions WHERE purged_at IS NULL AND expires_at < ? ORDER BY expires_at LIMIT ?",
        (cutoff, limit),
    )
    await tx.executemany(
        "UPDATE sessions SET secret_hash = ?, purged_at = ? WHERE id = ?",
        [(f"purged:{row[0]}".encode(), now, row[0]) for row in rows],
    )
    return len(rows)


async def _delete_old_sessions(tx: Transaction, cutoff: str, limit: int) -> int:
    return await tx.execute(
        "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE purged_at IS NOT NULL"
        " AND purged_at < ? ORDER BY purged_at LIMIT ?)",
        (cutoff, limit),
    )


async def _delete_idle_students(tx: Transaction, cutoff: str, limit: int) -> int:
    # No ORDER BY: which idle students go first does not matter, and with one SQLite scanned
    # every candidate and sorted them for each batch (250 ms at 20 000 students).
    return await tx.execute(
        """DELETE FROM students WHERE id IN (
               SELECT st.id FROM students st
               WHERE st.updated_at < ?
                 AND NOT EXISTS (SELECT 1 FROM student_identities i WHERE i.student_id = st.id)
                 AND NOT EXISTS (SELECT 1 FROM threads t WHERE t.student_id = st.id)
                 AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.student_id = st.id
                                 AND s.last_active_at >= ?)
               LIMIT ?)""",
        (cutoff, cutoff, limit),
    )


class Purger:
    """Runs :meth:`purge` every ``interval`` seconds in the background."""

    def __init__(self, db: Database, policy: RetentionPolicy, clock: Clock = utc_now) -> None:
        self.db = db
        self.policy = policy
        self.clock = clock
        self._task: asyncio.Task[None] | None = None

    async def purge(self) -> PurgeCounts:
        """One full round: every phase in batches until a batch comes back short."""
        now = self.clock()
        secrets = await self._batches(lambda tx, n: _forget_secrets(
            tx, stored(now - self.policy.refresh_grace), stored(now), n))
        sessions = await self._batches(lambda tx, n: _delete_old_sessions(
            tx, stored(now - self.policy.session_history), n))
        students = await self._batches(lambda tx, n: _delete_idle_students(
            tx, stored(now - self.policy.anonymous_retention), n))
        if secrets or sessions or students:
            await self.db.reclaim_space()
        return PurgeCounts(secrets, sessions, students)

    async def _batches(self, step: _Step) -> int:
        total, size = 0, self.policy.batch_size

        async def one(tx: Transaction) -> int:
            return await step(tx, size)

        while True:
            done = await self.db.write(one)
            total += done
            if done < size:
                return total
            await asyncio.sleep(0)  # let queued requests in between batches

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="tutorgpt-purge")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.policy.interval)
            try:
                counts = await self.purge()
            except Exception:  # a failed round is retried next interval; serving goes on
                logger.exception("Purge round failed")
                continue
            if counts != PurgeCounts():
                logger.info("Purged %s", counts)

