"""Moving-window rate limits through the ``limits`` library, memory or Redis storage.

Why two code paths: ``limits.aio``'s in-memory storage sweeps expired entries with one
``asyncio.to_thread()`` call per tracked key after every hit, which costs most of a core once
about a thousand clients are tracked (see the performance notes). The synchronous in-memory
storage does the same work without thread hops and never blocks (it is a dict and a list), so
``memory://`` uses it directly from async code. Any other storage URI (``redis://``, ...) is a
network round trip and goes through ``limits.aio``.

Even the synchronous storage sweeps every 10 ms while hits arrive and never forgets a client
(an emptied window stays as an empty list), so its sweep grows with every IP it has ever seen:
9-12% of a core at 1 000 idle clients, 40-50% at 10 000, measured in ``bench/``.
:class:`SweptMemoryStorage` keeps its moving window and sweeps in bounded slices, dropping
clients whose window is empty: a whole sweep at once over the 144 000 clients a busy minute
leaves took 95 ms, a stall every request then waiting on the limiter shared. Its sweeps run on
one thread that lives while clients are tracked: ``limits`` starts a new ``threading.Timer``
after each sweep, from whichever thread hits next, and a thread start on the event loop cost
~120 µs of CPU and 0.6-4 ms of wall time on a loaded machine, ten times a second.

On the request path the memory limiter calls the storage's moving window itself, with the key
the strategy would build (prepared once): the strategy's ``key_for`` and its window-stats object
cost about half of the 5.7 µs a hit took.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse
from limits.aio import strategies as aio_strategies
from limits.errors import ConfigurationError, StorageError
from limits.storage import MemoryStorage, storage_from_string

logger = logging.getLogger(__name__)
#: Seconds a client is asked to wait when the limit storage cannot be reached.
UNAVAILABLE_RETRY_AFTER = 5


#: coredis's connect and per-command timeouts (seconds) for plain Redis URIs.
REDIS_TIMEOUTS = {"connect_timeout": 1.0, "stream_timeout": 1.0}


class RateLimitUnavailable(RuntimeError):
    """The shared limit storage (Redis) cannot be reached, and the limit does not fail open."""

    retry_after = UNAVAILABLE_RETRY_AFTER


@dataclass(frozen=True, slots=True)
class RateDecision:
    """Whether a hit was allowed, and if not, how many whole seconds until one will be."""

    allowed: bool
    retry_after: int = 0


_ALLOWED = RateDecision(True)


class SweptMemoryStorage(MemoryStorage):
    """``limits``' memory storage with a sweep that forgets idle clients, a slice at a time.

    The sweep and every window operation share one lock: the sweep runs on a timer thread and
    deletes keys, which must never happen between two steps of an ``acquire_entry``.
    """

    #: Seconds between sweep slices, and clients visited per slice (about 1.5 ms of work): a
    #: client is visited every few seconds even at thousands of new clients a second.
    SWEEP_INTERVAL = 0.1
    SWEEP_SLICE = 2_000

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._backlog: list[str] = []
        self._sweeping = False
        super().__init__()

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        with self._guard:
            return super().acquire_entry(key, limit, expiry, amount)

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        with self._guard:
            return super().get_moving_window(key, limit, expiry)

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - replaces limits' 10 ms full sweep
        """Start the sweeper unless it runs (called by ``acquire_entry`` under the guard)."""
        if not self._sweeping:
            self._sweeping = True
            threading.Thread(target=self._sweep_while_tracking, name="ratelimit-sweep", daemon=True).start()

    def _sweep_while_tracking(self) -> None:
        """A slice every ``SWEEP_INTERVAL`` until no client is left; the next hit restarts it."""
        while True:
            time.sleep(self.SWEEP_INTERVAL)
            with self._guard:
                self._sweep_slice()
                if not self.events:
                    self._sweeping = False
                    return

    def _sweep_slice(self) -> None:
        now = time.time()
        if not self._backlog:
            self._backlog = list(self.events)
        for _ in range(min(self.SWEEP_SLICE, len(self._backlog))):
            key = self._backlog.pop()
            events = self.events.get(key)
            if events is None:
                continue
            live = [entry for entry in events if entry.expiry > now]
            if live:
                self.events[key] = live
            else:
                del self.events[key]
                self.locks.pop(key, None)

    @property
    def tracked_clients(self) -> int:
        """How many keys have a non-empty window (for tests and benchmarks)."""
        return len(self.events)


class RateLimiter:
    """One moving-window limit (e.g. ``10/minute``) applied per key (an IP, a session id)."""

    def __init__(
        self, limit: str, storage_uri: str = "memory://", *, namespace: str = "", fail_open: bool = False
    ) -> None:
        self.item: RateLimitItem = parse(limit)
        self.namespace = namespace
        self.fail_open = fail_open
        self._aio_storage: Any = None
        self._aio: aio_strategies.MovingWindowRateLimiter | None = None
        self.memory: SweptMemoryStorage | None = None
        try:
            if storage_uri.startswith("memory://"):
                self.memory = SweptMemoryStorage()
            else:
                uri = storage_uri if storage_uri.startswith("async+") else f"async+{storage_uri}"
                # A Redis that hangs must become a 503 in seconds, not a request that never ends.
                timeouts = REDIS_TIMEOUTS if uri.startswith(("async+redis://", "async+rediss://")) else {}
                self._aio_storage = storage_from_string(uri, wrap_exceptions=True, **timeouts)
                self._aio = aio_strategies.MovingWindowRateLimiter(self._aio_storage)
        except ConfigurationError as error:
            raise ValueError(f"unusable rate limit storage {storage_uri!r}: {error}") from None

        # ``item.key_for(namespace + key)``, cut around the key once: the same storage key as the
        # moving-window strategy's (a test checks it), without its formatting on every hit.
        self._key_prefix, self._key_suffix = self.item.key_for(f"{namespace}\0").split("\0")
        self._amount, self._expiry = self.item.amount, self.item.get_expiry()

    def storage_key(self, key: str) -> str:
        """The key ``limits`` stores ``key``'s window under."""
        return f"{self._key_prefix}{key}{self._key_suffix}"

    async def hit(self, key: str) -> RateDecision:
        """Count one request for ``key``; refuse it with a ``retry_after`` when over the limit."""
        if self.memory is not None:
            stored = self.storage_key(key)
            if self.memory.acquire_entry(stored, self._amount, self._expiry):
                return _ALLOWED
            window_start, _ = self.memory.get_moving_window(stored, self._amount, self._expiry)
            reset_time = window_start + self._expiry
        else:
            key = f"{self.namespace}{key}"
            try:
                shared_reset = await self._shared_hit(key)
            except StorageError as error:
                if not self.fail_open:
                    raise RateLimitUnavailable(f"rate limit storage unreachable: {error}") from error
                logger.warning("Rate limit storage unreachable; allowing the request (fail open): %s", error)
                return RateDecision(True)
            if shared_reset is None:
                return RateDecision(True)
            reset_time = shared_reset
        return RateDecision(False, max(1, math.ceil(reset_time - time.time())))

    async def _shared_hit(self, key: str) -> float | None:
        """One hit on the shared storage: ``None`` if allowed, else when the window resets."""
        assert self._aio is not None
        if await self._aio.hit(self.item, key):
            return None
        return float((await self._aio.get_window_stats(self.item, key)).reset_time)

    @property
    def shared(self) -> bool:
        """Whether the counts live outside this process (Redis), shared by workers and hosts."""
        return self._aio_storage is not None

    async def reachable(self) -> bool:
        """Whether the shared storage answers (always true for this process's memory)."""
        if self._aio_storage is None:
            return True
        try:
            return bool(await self._aio_storage.check())
        except Exception:  # check() should say False; a driver may still raise
            return False
