"""The rate limiter's own CPU use with many tracked but idle clients, measured in-process.

Why: ``limits``' in-memory storages sweep expired entries in the background (a timer thread
for the synchronous storage, one ``to_thread()`` per key for ``limits.aio``), so the cost of
remembering idle clients grows with their number and competes with request handling for the
GIL. The performance notes set the bar: under about 5% of a core with 1 000 idle clients
while a trickle of 100 hits/s keeps the limiter active.
"""

from __future__ import annotations

import asyncio
import time

from tutorgpt_asgi.ratelimit import RateLimiter

#: The trickle of hits that keeps the limiter (and its sweeps) active.
HITS_PER_SECOND = 100


async def limiter_cpu_percent(tracked: int, seconds: float, limit: str = "10/minute") -> float:
    """Percent of one core this process uses while ``tracked`` clients are remembered.

    All ``tracked`` clients hit once, then ``HITS_PER_SECOND`` hits a second come from new
    clients for ``seconds`` (each allowed, and the same number in every configuration, so the
    difference between configurations is the cost of the idle ones). ``time.process_time()`` counts every thread, so the
    storage's sweeping thread is included.
    """
    limiter = RateLimiter(limit, "memory://", namespace="bench:")
    for number in range(tracked):
        await limiter.hit(f"idle-{number}")
    ticks = max(1, round(seconds * HITS_PER_SECOND))
    start_cpu, start_wall = time.process_time(), time.monotonic()
    for tick in range(ticks):
        await limiter.hit(f"active-{tick}")
        next_at = start_wall + (tick + 1) / HITS_PER_SECOND
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    cpu, wall = time.process_time() - start_cpu, time.monotonic() - start_wall
    return 100.0 * cpu / wall


def run(seconds: float, tracked_counts: tuple[int, ...] = (0, 1_000, 10_000)) -> dict[str, float]:
    """CPU percent of a core for each number of idle tracked clients (keys ``"<n> idle"``)."""
    return {
        f"{tracked} idle": round(asyncio.run(limiter_cpu_percent(tracked, seconds)), 2)
        for tracked in tracked_counts
    }
