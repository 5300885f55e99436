"""The running parts of one TutorGPT app, started and stopped together.

Starlette does not run a mounted app's lifespan, so start-up must work two ways: the host
composes the sub-app's lifespan (clean start and shutdown, the documented way), or, when it
does not, the first request starts the runtime lazily. :meth:`Runtime.start` is idempotent and
guarded by a lock, so both ways, and concurrent first requests, start it exactly once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from tutorgpt_asgi.ratelimit import RateLimiter
from tutorgpt_asgi.sessions.service import SessionPolicy, SessionService
from tutorgpt_asgi.settings import Settings, sqlite_path
from tutorgpt_asgi.store.database import Database
from tutorgpt_asgi.web.client_ip import IPNetwork, parse_networks

logger = logging.getLogger(__name__)


class Runtime:
    """Settings plus the services built from them; see ``docs/ARCHITECTURE.md``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.trusted_proxies: tuple[IPNetwork, ...] = parse_networks(settings.trusted_proxies)
        self.db = Database(sqlite_path(settings.database_url), synchronous=settings.sqlite_synchronous)
        self.sessions = SessionService(
            self.db,
            SessionPolicy(
                idle_ttl=timedelta(seconds=settings.session_idle_ttl),
                max_ttl=timedelta(seconds=settings.session_max_ttl),
                refresh_grace=timedelta(seconds=settings.session_refresh_grace),
            ),
        )
        self.session_limiter = RateLimiter(
            settings.rate_limit, settings.rate_limit_storage, namespace="tutorgpt:session:"
        )
        self.message_limiter = RateLimiter(
            settings.message_rate_limit, settings.rate_limit_storage, namespace="tutorgpt:message:"
        )
        self.started = False
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Open the databases (migrating them) once; later calls return at once."""
        async with self._lock:
            if self.started:
                return
            await self.db.open()
            self.started = True
            logger.info("TutorGPT started (database %s)", self.db.path)

    async def aclose(self) -> None:
        """Close everything :meth:`start` opened, in reverse order."""
        async with self._lock:
            if not self.started:
                return
            await self.db.close()
            self.started = False
