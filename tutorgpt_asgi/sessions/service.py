"""Students, sessions and reading progress: the service behind ``/session`` and the protocol.

Every change a request makes is one function handed to the database's writer, so it commits
(or rolls back) as a unit: a failure never leaves a student without its session or a session
without its first visit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import msgspec

from tutorgpt_asgi.clock import Clock, isoformat_z, parse_stored, stored, utc_now
from tutorgpt_asgi.ids import new_id
from tutorgpt_asgi.sessions.auth_cache import AuthCache
from tutorgpt_asgi.sessions.context import PageContext, SessionRequest
from tutorgpt_asgi.sessions.identity import VerifiedIdentity
from tutorgpt_asgi.sessions.progress import StudentProfile, load_profile, record_visit, visit_key
from tutorgpt_asgi.sessions.secrets import hash_secret, new_client_secret
from tutorgpt_asgi.sessions.students import ChosenStudent, choose_student, erase_student
from tutorgpt_asgi.store.database import Database, Row, Transaction

#: The smallest move of a session's idle expiry worth a write (see ``authenticate``).
SLIDE_STEP = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class CreatedSession:
    """What ``POST /session`` returns; the secret and a new student's key exist in plain text
    only here."""

    client_secret: str
    session_id: str
    expires_at: datetime
    student_key: str | None = None


@dataclass(frozen=True, slots=True)
class AuthenticatedSession:
    """A live session found by its bearer secret, with its student and current location."""

    session_id: str
    student_id: str
    student_name: str | None
    student_email: str | None
    learning_level: str
    location: PageContext
    expires_at: datetime
    admin: bool = False


class SessionSummary(msgspec.Struct, frozen=True):
    """One past session as ``GET /sessions`` lists it: ids, times and pages, never secrets."""

    session_id: str
    created_at: str
    last_active_at: str
    expires_at: str
    revoked: bool
    page_path: str | None
    page_title: str | None
    current_chapter: str | None
    current_lesson: str | None


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """How long a secret lives: idle expiry slides on use, never past the absolute lifetime."""

    idle_ttl: timedelta
    max_ttl: timedelta
    refresh_grace: timedelta


_SESSION_COLUMNS = """
    s.id, s.student_id, s.context_json, s.expires_at, s.max_expires_at, s.revoked_at, s.admin,
    st.name, st.email, st.learning_level
"""


class SessionService:
    """Creates, authenticates, refreshes and ends sessions; records where readers are."""

    def __init__(
        self,
        db: Database,
        policy: SessionPolicy,
        clock: Clock = utc_now,
        *,
        auth_cache: timedelta | None = None,
    ) -> None:
        """``auth_cache``: how long to reuse an authentication (``auth_cache.py``); only for a
        process that is the only one serving ``db``, since revokes elsewhere go unseen."""
        self.db = db
        self.policy = policy
        self.clock = clock
        self.auth_cache = auth_cache
        self._cache = None if auth_cache is None else AuthCache(auth_cache)

    async def create(
        self, request: SessionRequest, identity: VerifiedIdentity | None = None
    ) -> CreatedSession:
        """Open a session for the student the proof selects: the verified ``identity`` when
        given, else ``request.student_key``, else a new student with a new key.

        Raises :class:`~tutorgpt_asgi.sessions.identity.IdentityRejected` for an unknown key;
        nothing is written then.
        """
        now = self.clock()
        secret = new_client_secret()
        session_id = new_id("sess")
        expires_at = now + min(self.policy.idle_ttl, self.policy.max_ttl)
        max_expires_at = now + self.policy.max_ttl
        context = request.context
        # Each time as text once (~1.8 µs a conversion; this path needed six).
        at, expires, max_expires = stored(now), stored(expires_at), stored(max_expires_at)

        async def create_rows(tx: Transaction) -> ChosenStudent:
            chosen = await choose_student(tx, request, identity, at)
            await tx.execute(
                """INSERT INTO sessions (id, student_id, secret_hash, page_path, page_title,
                       current_chapter, current_lesson, highlighted_text, context_json,
                       created_at, last_active_at, expires_at, max_expires_at, admin)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    session_id, chosen.student_id, hash_secret(secret), context.page_path,
                    context.page_title, context.current_chapter, context.current_lesson,
                    context.highlighted_text, msgspec.json.encode(context).decode(),
                    at, at, expires, max_expires,
                    1 if identity is not None and identity.admin else 0,
                ),
            )
            await record_visit(tx, chosen.student_id, context, at)
            return chosen

        chosen = await self.db.write(create_rows)
        if self._cache is not None and (identity is not None or request.student_key is not None):
            self._forget_profile(chosen.student_id, merged=identity is not None and request.student_key is not None)
        return CreatedSession(secret, session_id, expires_at, chosen.new_key)

    def _forget_profile(self, student_id: str, *, merged: bool) -> None:
        """A known student's profile (name, level) may have changed: drop their sessions. A
        sign-in with a browser's key may have merged another student into this one (see
        ``linking.py``), whose id no longer exists: drop everything then; sign-ins are rare."""
        assert self._cache is not None
        self._cache.drop_where(lambda session: merged or session.student_id == student_id)

    async def authenticate(self, client_secret: str) -> AuthenticatedSession | None:
        """The live session for this secret, its idle expiry slid forward; else ``None``.

        The slide is written only when it moves the expiry by at least ``SLIDE_STEP``: a chat
        sends several protocol requests a second, and a write for each would cost more than the
        request itself, for a difference of seconds in a 30-minute idle window. With the cache
        on, a session read less than its window ago is reused: expiry is still checked on every
        call, and a due slide goes to the database.
        """
        key = hash_secret(client_secret)
        now = self.clock()
        cached = None if self._cache is None else self._cache.get(key, now)
        if cached is not None:
            if cached.session.expires_at <= now:
                return None
            if not self._slide_due(cached.session.expires_at, cached.max_expires_at, now):
                return cached.session
        generation = None if self._cache is None else self._cache.generation
        row = await self.db.fetchone(
            f"SELECT {_SESSION_COLUMNS} FROM sessions s JOIN students st ON st.id = s.student_id"
            " WHERE s.secret_hash = ?",
            (key,),
        )
        if row is None or row["revoked_at"] is not None:
            return None
        current, max_expires_at = parse_stored(row["expires_at"]), parse_stored(row["max_expires_at"])
        if current <= now:
            return None
        session = _authenticated(row, current)
        if self._slide_due(current, max_expires_at, now):
            session = await self._slide(session, max_expires_at, now)
        if self._cache is not None and self._cache.generation == generation:
            self._cache.put(key, session, max_expires_at, now)
        return session

    def _slid_expiry(self, max_expires_at: datetime, now: datetime) -> datetime:
        """Where a use at ``now`` moves the idle expiry: one idle window on, never past the cap."""
        return min(now + self.policy.idle_ttl, max_expires_at)

    def _slide_due(self, current: datetime, max_expires_at: datetime, now: datetime) -> bool:
        return abs(self._slid_expiry(max_expires_at, now) - current) >= SLIDE_STEP

    async def _slide(
        self, session: AuthenticatedSession, max_expires_at: datetime, now: datetime
    ) -> AuthenticatedSession:
        expires_at = self._slid_expiry(max_expires_at, now)

        async def slide(tx: Transaction) -> None:
            await tx.execute(
                "UPDATE sessions SET last_active_at = ?, expires_at = ? WHERE id = ?",
                (stored(now), stored(expires_at), session.session_id),
            )

        await self.db.write(slide)
        return replace(session, expires_at=expires_at)

    async def update_location(
        self, session: AuthenticatedSession, context: PageContext
    ) -> AuthenticatedSession:
        """Make ``context`` the session's current location and count the visit if it moved.

        The plugin sends the page context with every protocol request; while the reader stays
        on the same page (and highlight) nothing changes, so nothing is written.
        """
        if context == session.location:
            return session
        now = stored(self.clock())
        moved = visit_key(context) != visit_key(session.location)

        async def save(tx: Transaction) -> None:
            await tx.execute(
                """UPDATE sessions SET page_path = ?, page_title = ?, current_chapter = ?,
                       current_lesson = ?, highlighted_text = ?, context_json = ?
                   WHERE id = ?""",
                (
                    context.page_path, context.page_title, context.current_chapter,
                    context.current_lesson, context.highlighted_text,
                    msgspec.json.encode(context).decode(), session.session_id,
                ),
            )
            await record_visit(tx, session.student_id, context, now, count=moved)

        await self.db.write(save)
        if self._cache is not None:  # else the next request would see the old place and write again
            self._cache.drop_session(session.session_id)
        return replace(session, location=context)

    async def refresh(self, client_secret: str) -> CreatedSession | None:
        """Swap a valid or just-expired secret (within the grace) for a new one.

        The old secret stops working at once. The session keeps its id and its absolute
        lifetime: refreshing never extends a session past ``session_max_ttl``.
        """
        old_hash = hash_secret(client_secret)
        row = await self.db.fetchone(
            "SELECT id, expires_at, max_expires_at, revoked_at FROM sessions WHERE secret_hash = ?",
            (old_hash,),
        )
        now = self.clock()
        if row is None or row["revoked_at"] is not None:
            return None
        max_expires_at = parse_stored(row["max_expires_at"])
        if parse_stored(row["expires_at"]) + self.policy.refresh_grace <= now or max_expires_at <= now:
            return None
        secret = new_client_secret()
        expires_at = self._slid_expiry(max_expires_at, now)

        async def swap(tx: Transaction) -> bool:
            changed = await tx.execute(
                """UPDATE sessions SET secret_hash = ?, expires_at = ?, last_active_at = ?
                   WHERE id = ? AND secret_hash = ? AND revoked_at IS NULL""",
                (hash_secret(secret), stored(expires_at), stored(now), row["id"], old_hash),
            )
            return changed == 1

        if not await self.db.write(swap):  # a concurrent refresh or revoke won
            return None
        if self._cache is not None:
            self._cache.drop(old_hash)
        return CreatedSession(secret, row["id"], expires_at)

    async def revoke(self, session: AuthenticatedSession) -> None:
        """End a session: its secret stops working immediately."""
        now = stored(self.clock())

        async def end(tx: Transaction) -> None:
            await tx.execute(
                "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (now, session.session_id),
            )

        await self.db.write(end)
        if self._cache is not None:
            self._cache.drop_session(session.session_id)

    async def history(self, student_id: str, limit: int = 50) -> list[SessionSummary]:
        """The student's sessions, newest first."""
        rows = await self.db.fetchall(
            """SELECT id, created_at, last_active_at, expires_at, revoked_at, page_path,
                      page_title, current_chapter, current_lesson
               FROM sessions WHERE student_id = ? ORDER BY created_at DESC LIMIT ?""",
            (student_id, limit),
        )
        return [
            SessionSummary(
                session_id=row["id"], created_at=_wire_time(row["created_at"]),
                last_active_at=_wire_time(row["last_active_at"]),
                expires_at=_wire_time(row["expires_at"]), revoked=row["revoked_at"] is not None,
                page_path=row["page_path"], page_title=row["page_title"],
                current_chapter=row["current_chapter"], current_lesson=row["current_lesson"],
            )
            for row in rows
        ]

    async def erase(self, session: AuthenticatedSession) -> None:
        """Delete the session's student and every row of theirs (sessions, keys, identities,
        threads, items, feedback, progress): their secrets and key stop working at once."""
        async def erase(tx: Transaction) -> None:
            await erase_student(tx, session.student_id)

        await self.db.write(erase)
        if self._cache is not None:
            self._cache.drop_where(lambda cached: cached.student_id == session.student_id)

    async def student_profile(self, student_id: str) -> StudentProfile | None:
        """Name, level, first seen, sessions count, current location and progress."""
        return await load_profile(self.db, student_id)


def _authenticated(row: Row, expires_at: datetime) -> AuthenticatedSession:
    return AuthenticatedSession(
        session_id=row["id"],
        student_id=row["student_id"],
        student_name=row["name"],
        student_email=row["email"],
        learning_level=row["learning_level"],
        location=msgspec.json.decode(row["context_json"], type=PageContext),
        expires_at=expires_at,
        admin=bool(row["admin"]),
    )


def _wire_time(text: str) -> str:
    """Stored microsecond timestamps as the contract's second-precision ``...Z`` form."""
    return isoformat_z(parse_stored(text))

