"""Moving-window rate limits through the ``limits`` library, memory or Redis storage.

Why two code paths: ``limits.aio``'s in-memory storage sweeps expired entries with one
``asyncio.to_thread()`` call per tracked key after every hit, which costs most of a core once
about a thousand clients are tracked (see the performance notes). The synchronous in-memory
storage does the same work without thread hops and never blocks (it is a dict and a list), so
``memory://`` uses it directly from async code. Any other storage URI (``redis://``, ...) is a
network round trip and goes through ``limits.aio``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits import strategies as sync_strategies
from limits.aio import strategies as aio_strategies
from limits.errors import ConfigurationError
from limits.storage import storage_from_string


@dataclass(frozen=True, slots=True)
class RateDecision:
    """Whether a hit was allowed, and if not, how many whole seconds until one will be."""

    allowed: bool
    retry_after: int = 0


class RateLimiter:
    """One moving-window limit (e.g. ``10/minute``) applied per key (an IP, a session id)."""

    def __init__(self, limit: str, storage_uri: str = "memory://", *, namespace: str = "") -> None:
        self.item: RateLimitItem = parse(limit)
        self.namespace = namespace
        self._sync: sync_strategies.MovingWindowRateLimiter | None = None
        self._aio: aio_strategies.MovingWindowRateLimiter | None = None
        try:
            if storage_uri.startswith("memory://"):
                self._sync = sync_strategies.MovingWindowRateLimiter(storage_from_string(storage_uri))
            else:
                uri = storage_uri if storage_uri.startswith("async+") else f"async+{storage_uri}"
                self._aio = aio_strategies.MovingWindowRateLimiter(storage_from_string(uri))
        except ConfigurationError as error:
            raise ValueError(f"unusable rate limit storage {storage_uri!r}: {error}") from None

    async def hit(self, key: str) -> RateDecision:
        """Count one request for ``key``; refuse it with a ``retry_after`` when over the limit."""
        key = f"{self.namespace}{key}"
        if self._sync is not None:
            if self._sync.hit(self.item, key):
                return RateDecision(True)
            reset_time = self._sync.get_window_stats(self.item, key).reset_time
        else:
            assert self._aio is not None
            if await self._aio.hit(self.item, key):
                return RateDecision(True)
            reset_time = (await self._aio.get_window_stats(self.item, key)).reset_time
        return RateDecision(False, max(1, math.ceil(reset_time - time.time())))
