"""The running parts of one TutorGPT app, started and stopped together.

Starlette does not run a mounted app's lifespan, so start-up must work two ways: the host
composes the sub-app's lifespan (clean start and shutdown, the documented way), or, when it
does not, the first request starts the runtime lazily. :meth:`Runtime.start` is idempotent and
guarded by a lock, so both ways, and concurrent first requests, start it exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from tutorgpt_asgi.agent import ModelTutor, OfflineTutor, build_responder
from tutorgpt_asgi.analytics.retention import run_retention
from tutorgpt_asgi.book.errors import BookError
from tutorgpt_asgi.book.index import BookIndex
from tutorgpt_asgi.chatkit.server import ChatKitServer
from tutorgpt_asgi.ratelimit import RateLimiter
from tutorgpt_asgi.sessions.auth_cache import AUTH_CACHE_WINDOW
from tutorgpt_asgi.sessions.lifecycle import Purger, RetentionPolicy
from tutorgpt_asgi.sessions.service import SessionPolicy, SessionService
from tutorgpt_asgi.sessions.tokens import TokenPolicy, TokenVerifier
from tutorgpt_asgi.settings import IPNetwork, Settings, SettingsError, parse_networks, variable_for
from tutorgpt_asgi.signin import SignInService
from tutorgpt_asgi.store.connect import database_for
from tutorgpt_asgi.store.database import Database, DatabaseUnavailable
from tutorgpt_asgi.store.urls import hide_password

if TYPE_CHECKING:
    from tutorgpt_asgi.web.identity import IdentifyCallback

logger = logging.getLogger(__name__)


class Runtime:
    """Settings plus the services built from them; see ``docs/ARCHITECTURE.md``."""

    def __init__(self, settings: Settings, identify: IdentifyCallback | None = None) -> None:
        self.settings = settings
        self.identify = identify
        self.tokens = _token_verifier(settings)
        self.trusted_proxies: tuple[IPNetwork, ...] = parse_networks(settings.trusted_proxies)
        self.db: Database = database_for(
            settings.database_url,
            sqlite_synchronous=settings.sqlite_synchronous,
            pool_size=settings.database_pool_size,
        )
        policy = SessionPolicy(
            idle_ttl=timedelta(seconds=settings.session_idle_ttl),
            max_ttl=timedelta(seconds=settings.session_max_ttl),
            refresh_grace=timedelta(seconds=settings.session_refresh_grace),
        )
        self.sessions = SessionService(self.db, policy, auth_cache=_auth_cache_window(settings, self.db))
        self.purger = Purger(self.db, RetentionPolicy.from_settings(settings))
        self.session_limiter = self._limiter(settings.rate_limit, "session")
        self.message_limiter = self._limiter(settings.message_rate_limit, "message")
        self.ip_message_limiter = self._limiter(settings.message_rate_limit_per_ip, "message-ip")
        self.signin = SignInService(self.db, settings)
        # Opened by start(); handlers run only after it.
        self.book: BookIndex
        self.responder: ModelTutor | OfflineTutor
        self.chatkit: ChatKitServer
        self.started = False
        self._lock = asyncio.Lock()
        self._retention: asyncio.Task[None] | None = None

    def _limiter(self, limit: str, name: str) -> RateLimiter:
        try:
            return RateLimiter(
                limit, self.settings.rate_limit_storage, namespace=f"tutorgpt:{name}:",
                fail_open=self.settings.rate_limit_fail_open,
            )
        except ValueError as error:
            raise SettingsError(f"Invalid setting {variable_for('rate_limit_storage')}: {error}") from None

    async def _open_database(self) -> None:
        """Open and migrate the main database; an unreachable one stops start-up, naming the setting."""
        try:
            await self.db.open()
        except DatabaseUnavailable as error:
            raise SettingsError(f"Cannot use the database named by {variable_for('database_url')}: {error}") from None

    async def _check_limit_storage(self) -> None:
        """Shared limits need their storage: refuse to start without it, unless they fail open."""
        if await self.session_limiter.reachable():
            return
        message = (
            f"Cannot reach the rate limit storage named by {variable_for('rate_limit_storage')} "
            f"({hide_password(self.settings.rate_limit_storage)})"
        )
        if not self.settings.rate_limit_fail_open:
            raise SettingsError(message + "; set TUTORGPT_RATE_LIMIT_FAIL_OPEN=true to run without limits meanwhile")
        logger.warning("%s; limits are off until it answers (TUTORGPT_RATE_LIMIT_FAIL_OPEN)", message)

    async def check_dependencies(self) -> None:
        """Reach the limit storage and open (migrating) the database, then close it again."""
        await self._check_limit_storage()
        await self._open_database()
        await self.db.close()

    async def start(self) -> None:
        """Open the databases (migrating them) and the book once; later calls return at once."""
        async with self._lock:
            if self.started:
                return
            settings = self.settings
            await self._check_limit_storage()
            await self._open_database()
            self.book = await BookIndex.open(settings.book_database_url, site_url=settings.site_url)
            if settings.book:
                await self._index_book(settings.book)
            self.responder = build_responder(settings, self.book, self.sessions)
            self.chatkit = ChatKitServer(
                self.db, self.responder, self.message_limiter, ip_limiter=self.ip_message_limiter,
                model=settings.model_name if settings.model_configured else None,
            )
            self.purger.start()
            if settings.analytics_retention_days is not None:
                self._retention = asyncio.create_task(
                    run_retention(self.db, settings.analytics_retention_days), name="tutorgpt-retention"
                )
            self.started = True
            logger.info(
                "TutorGPT started (database %s, %s)", self.db.display_url,
                f"model {settings.model_name}" if settings.model_configured else "offline tutor",
            )

    async def _index_book(self, path: str) -> None:
        """Index the configured book; a bad path or file stops start-up, naming the setting."""
        try:
            summary = await self.book.index_path(path, exclude=self.settings.book_exclude)
        except BookError as error:
            await self.book.close()
            await self.db.close()
            raise SettingsError(
                f"Invalid setting book (TUTORGPT_BOOK): {error.code}: {error.message}"
            ) from None
        logger.info(
            "Indexed %s: %d pages, %d sections (%d changed) in %.1f s",
            path, summary.pages, summary.sections, summary.added + summary.updated + summary.removed,
            summary.seconds,
        )

    async def aclose(self) -> None:
        """Close everything :meth:`start` opened, in reverse order."""
        async with self._lock:
            if not self.started:
                return
            await self.purger.stop()
            if self._retention is not None:
                self._retention.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._retention
                self._retention = None
            await self.responder.aclose()
            await self.book.close()
            await self.db.close()
            self.started = False


def _auth_cache_window(settings: Settings, db: Database) -> timedelta | None:
    """Reuse authentications only where this process is the only one serving the database.

    A revoke, refresh or erase drops this process's cache at once, but another process's cache
    would keep serving the secret for a window. SQLite with in-memory rate limits is one
    process: ``tutorgpt serve`` refuses several workers with ``memory://`` limits. PostgreSQL
    (or Redis limits) means several workers or hosts may share the data: no cache.
    """
    single_process = db.engine == "sqlite" and settings.rate_limit_storage.startswith("memory://")
    return AUTH_CACHE_WINDOW if single_process else None


def _token_verifier(settings: Settings) -> TokenVerifier | None:
    """The identity token verifier, when a secret or a JWKS URL is configured."""
    if not (settings.identity_jwt_secret or settings.identity_jwks_url):
        return None
    return TokenVerifier(
        TokenPolicy(
            secret=settings.identity_jwt_secret, jwks_url=settings.identity_jwks_url,
            audience=settings.identity_audience, issuer=settings.identity_issuer,
            leeway=settings.identity_leeway, jwks_cache_seconds=settings.identity_jwks_cache_seconds,
            jwks_refresh_cooldown=settings.identity_jwks_refresh_cooldown,
        )
    )
