"""One thread that runs whatever is queued in one go: the SQLite engine's writer and reader.

Why: a thread hop costs about 40 µs of CPU on this stack (waking the thread, handing the GIL
over, waking the event loop), more than the short indexed statements it carries. Measured
in-process with 64 concurrent ``get_by_id`` reads (thread and 20 items): 62 µs of CPU per read
with a hop per read, 34 µs when each hop carries whatever reads are queued, 30 µs reading on
the event loop itself. So both the writer (group commit) and the reader queue their calls
here, and a hop carries a batch. Reading on the event loop was not kept: a read that waits for
the disk or for a lock (``busy_timeout``) would stall every request, for little gain.

A write's caller learns its outcome when the batch committed. Reads (``start_each``) are handed
back whenever ``SETTLE_EVERY`` has passed, checked after each read: a read waits for at most
the one read after it, not for a whole batch of book searches (milliseconds each).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
#: What a batch function returns: per call, ``(True, value)`` or ``(False, exception)``.
Outcomes = list[tuple[bool, Any]]
Settled = list[tuple["asyncio.Future[Any]", tuple[bool, Any]]]
#: Seconds of calls after which ``start_each`` hands back the outcomes so far.
SETTLE_EVERY = 0.001


class BatchThread:
    """A thread and the queue feeding it; ``run`` receives every queued call at once.

    ``run(calls)`` runs in the thread and returns one outcome per call. If it raises, every
    call of the batch gets that exception (for the writer: the COMMIT failed, nothing of the
    batch was kept). At most ``max_batch`` calls go in one batch, so a flood cannot hold back
    the results of the first ones.
    """

    def __init__(self, name: str, max_batch: int) -> None:
        self.name = name
        self.max_batch = max_batch
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._calls: deque[tuple[Any, asyncio.Future[Any]]] = deque()
        self._wake = asyncio.Event()
        self._run: Callable[[list[Any]], Outcomes] | None = None
        self._run_one: Callable[[Any], Any] | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done() and not self._stopping

    def start(self, run: Callable[[list[Any]], Outcomes]) -> None:
        """Start taking calls, each batch handed to ``run`` in the thread; every caller gets
        its outcome once the whole batch ran (a write: once the batch committed)."""
        self._run = run
        self._task = asyncio.create_task(self._serve(), name=self.name)

    def start_each(self, run_one: Callable[[Any], Any]) -> None:
        """Start taking calls, each batch run one call after another in the thread with
        ``run_one``; outcomes go back as described in the module's docstring."""
        self._run_one = run_one
        self._task = asyncio.create_task(self._serve(), name=self.name)

    async def call(self, item: Any) -> Any:
        """Queue ``item`` for the next batch; its outcome once the batch ran."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._calls.append((item, future))
        self._wake.set()
        return await future

    async def in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        """Run one plain function in the thread (opening, closing, maintenance)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def stop(self) -> None:
        """Run what is queued, then stop taking calls and end the thread."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            await self._task
            self._task = None
        self._executor.shutdown(wait=True)

    async def _serve(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._calls:
                count = min(self.max_batch, len(self._calls))
                await self._settle([self._calls.popleft() for _ in range(count)])
            if self._stopping:
                return

    async def _settle(self, batch: list[tuple[Any, asyncio.Future[Any]]]) -> None:
        if self._run is None:
            _resolve_all(await self.in_thread(self._run_each, asyncio.get_running_loop(), batch))
            return
        try:
            outcomes = await self.in_thread(self._run, [item for item, _ in batch])
        except Exception as error:
            logger.exception("%s: a batch of %d calls failed as a whole", self.name, len(batch))
            outcomes = [(False, error)] * len(batch)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            _resolve(future, outcome)

    def _run_each(self, loop: asyncio.AbstractEventLoop, batch: list[tuple[Any, asyncio.Future[Any]]]) -> Settled:
        """Run the calls one by one; after each, hand back what ran if ``SETTLE_EVERY`` has
        passed; return the rest. Handing back each outcome at once cost 13 µs more per read
        (a loop wake-up each), batch ends only made every read wait for the slowest."""
        assert self._run_one is not None
        ran: Settled = []
        since = time.monotonic()
        for item, future in batch:
            try:
                ran.append((future, (True, self._run_one(item))))
            except Exception as error:  # the caller gets it; the batch goes on
                ran.append((future, (False, error)))
            if time.monotonic() - since >= SETTLE_EVERY:
                loop.call_soon_threadsafe(_resolve_all, ran)
                ran, since = [], time.monotonic()
        return ran


def _resolve_all(settled: Settled) -> None:
    for future, outcome in settled:
        _resolve(future, outcome)


def _resolve(future: asyncio.Future[Any], outcome: tuple[bool, Any]) -> None:
    if future.done():  # the caller went away (cancelled); a write still committed
        return
    ok, value = outcome
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
