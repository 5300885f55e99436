"""One thread that runs whatever is queued in one go: the SQLite engine's writer and reader.

Why: a thread hop costs about 40 µs of CPU on this stack (waking the thread, handing the GIL
over, waking the event loop), more than the short indexed statements it carries. Measured
in-process with 64 concurrent ``get_by_id`` reads (thread and 20 items): 62 µs of CPU per read
with a hop per read, 34 µs when each hop carries whatever reads are queued, 30 µs reading on
the event loop itself. So both the writer (group commit) and the reader queue their calls
here, and a hop carries a batch. Reading on the event loop was not kept: a read that waits for
the disk or for a lock (``busy_timeout``) would stall every request, for little gain.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
#: What a batch function returns: per call, ``(True, value)`` or ``(False, exception)``.
Outcomes = list[tuple[bool, Any]]


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
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done() and not self._stopping

    def start(self, run: Callable[[list[Any]], Outcomes]) -> None:
        """Start taking calls, each batch handed to ``run`` in the thread."""
        self._run = run
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
        assert self._run is not None
        try:
            outcomes = await self.in_thread(self._run, [item for item, _ in batch])
        except Exception as error:
            logger.exception("%s: a batch of %d calls failed as a whole", self.name, len(batch))
            outcomes = [(False, error)] * len(batch)
        for (_, future), (ok, value) in zip(batch, outcomes, strict=True):
            if future.done():  # the caller went away (cancelled); a write still committed
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
