"""Authenticated sessions remembered for a few seconds, by the hash of their secret.

Why: a chat sends several protocol requests a second with the same bearer secret, and each
lookup was a database read (on SQLite a thread hop, about 40 µs, plus building the session).
Why it is safe only in one process: the service drops entries when this process revokes,
refreshes or erases (``SessionService``), but it cannot hear another process do it. So the
runtime turns the cache on only where this process is the only one serving the database (see
"Sessions service" in ``docs/ARCHITECTURE.md``); elsewhere ``window`` is ``None`` and every
request reads the database.

Hand-written rather than ``cachetools.TTLCache``: entries are dropped by session and by
student, which needs an index by session anyway, and the whole cache is about 50 lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutorgpt_asgi.sessions.service import AuthenticatedSession

#: How long an authentication is reused when the cache is on. Bounds how long a change made
#: outside this process (an operator's own SQL) can go unseen; this process's own revoke,
#: refresh and erase take effect at once.
AUTH_CACHE_WINDOW = timedelta(seconds=5)
#: Sessions remembered at most; the oldest goes first.
AUTH_CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class CachedAuth:
    """A session as last read: its stored expiry and lifetime, and until when to trust it."""

    session: AuthenticatedSession
    max_expires_at: datetime
    trusted_until: datetime


class AuthCache:
    """Bounded map from secret hash to :class:`CachedAuth`, with a generation number.

    ``generation`` moves on every drop. A lookup that read the database must check it did not
    move while it read before it stores its result: a revoke committed during the read would
    otherwise be cached over and undone for a whole window.
    """

    def __init__(self, window: timedelta, size: int = AUTH_CACHE_SIZE) -> None:
        self.window = window
        self.size = size
        self.generation = 0
        self._entries: dict[bytes, CachedAuth] = {}
        self._keys_by_session: dict[str, bytes] = {}

    def get(self, key: bytes, now: datetime) -> CachedAuth | None:
        """The entry if stored less than ``window`` ago."""
        entry = self._entries.get(key)
        if entry is not None and entry.trusted_until <= now:
            self._remove(key)
            return None
        return entry

    def put(self, key: bytes, session: AuthenticatedSession, max_expires_at: datetime, now: datetime) -> None:
        self._remove(key)
        while len(self._entries) >= self.size:
            self._remove(next(iter(self._entries)))
        self._entries[key] = CachedAuth(session, max_expires_at, now + self.window)
        self._keys_by_session[session.session_id] = key

    def drop(self, key: bytes) -> None:
        """Forget one secret."""
        self.generation += 1
        self._remove(key)

    def drop_session(self, session_id: str) -> None:
        """Forget the session's secret."""
        self.generation += 1
        key = self._keys_by_session.get(session_id)
        if key is not None:
            self._remove(key)

    def drop_where(self, gone: Callable[[AuthenticatedSession], bool]) -> None:
        """Forget every session ``gone`` names (a scan: erasing a student is rare)."""
        self.generation += 1
        for key in [key for key, entry in self._entries.items() if gone(entry.session)]:
            self._remove(key)

    def _remove(self, key: bytes) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None and self._keys_by_session.get(entry.session.session_id) == key:
            del self._keys_by_session[entry.session.session_id]
