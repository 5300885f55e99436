"""``TUTORGPT_ANALYTICS_RETENTION_DAYS``: turn records older than N days are purged.

The purge runs in the background (at start-up, then hourly) and deletes in small batches, each
its own short write, so it never holds the single writer long enough to delay a reader's turn.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Final

from tutorgpt_asgi.clock import Clock, stored, utc_now
from tutorgpt_asgi.store.database import Database, Transaction

logger = logging.getLogger(__name__)

#: Records deleted per write.
BATCH: Final = 500
#: Pause between batches, so turns' writes interleave with a long purge.
BATCH_PAUSE_S: Final = 0.05
#: How often the purge runs.
INTERVAL_S: Final = 3600.0


async def purge_old_records(db: Database, days: int, clock: Clock = utc_now) -> int:
    """Delete every record older than ``days``; returns how many were deleted."""
    cutoff = stored(clock() - timedelta(days=days))

    async def delete_batch(tx: Transaction) -> int:
        return await tx.execute(
            "DELETE FROM turn_records WHERE item_id IN (SELECT item_id FROM turn_records"
            f" WHERE created_at < ? ORDER BY created_at LIMIT {BATCH})",
            (cutoff,),
        )

    deleted = 0
    while True:
        count = await db.write(delete_batch)
        deleted += count
        if count < BATCH:
            return deleted
        await asyncio.sleep(BATCH_PAUSE_S)


async def run_retention(db: Database, days: int) -> None:
    """Purge now and every :data:`INTERVAL_S`; runs until cancelled. A failed purge is logged
    and retried at the next interval."""
    while True:
        try:
            deleted = await purge_old_records(db, days)
        except Exception:
            logger.exception("Purging old turn records failed")
        else:
            if deleted:
                logger.info("Purged %d turn records older than %d days", deleted, days)
        await asyncio.sleep(INTERVAL_S)
