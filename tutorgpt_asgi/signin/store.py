"""Sign-ins in progress and single-use login codes, in the main database (migration 0006).

Both are bearer values, so only their SHA-256 is stored: a copy of the database can neither
finish someone's sign-in nor redeem their code. Both are used once: the row is deleted in the
same write that reads it, so two concurrent uses cannot both succeed.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from tutorgpt_asgi.clock import Clock, stored, utc_now
from tutorgpt_asgi.store.database import Database

#: How long a reader has to finish at the provider (consent screens, two-factor prompts).
ATTEMPT_TTL = timedelta(minutes=10)
#: How long a login code waits for ``POST /session``: the popup hands it over at once.
CODE_TTL = timedelta(seconds=60)
LOGIN_CODE_PREFIX = "lc_"


def digest(value: str) -> str:
    """The only form in which a state, browser token or login code is stored or compared."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class VerifiedClaims:
    """Who the provider says signed in: ``(issuer, subject)`` is the identity, the rest hints."""

    issuer: str
    subject: str
    email: str | None
    name: str | None


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """What the callback needs from the request that started a sign-in."""

    provider: str
    return_origin: str
    nonce: str
    code_verifier: str
    browser_hash: str


class LoginStore:
    """Saves and takes login attempts; issues and redeems login codes."""

    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

    async def save_attempt(self, state: str, attempt: LoginAttempt) -> None:
        """Remember a sign-in until its callback (and forget expired ones on the way)."""
        now = self.clock()

        def insert(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM login_attempts WHERE expires_at <= ?", (stored(now),))
            connection.execute(
                """INSERT INTO login_attempts (state_hash, browser_hash, provider, return_origin,
                       nonce, code_verifier, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (digest(state), attempt.browser_hash, attempt.provider, attempt.return_origin,
                 attempt.nonce, attempt.code_verifier, stored(now + ATTEMPT_TTL)),
            )

        await self.db.write(insert)

    async def take_attempt(self, state: str) -> LoginAttempt | None:
        """The live attempt for ``state``, deleted as it is read; ``None`` if unknown or expired."""
        now = stored(self.clock())

        def take(connection: sqlite3.Connection) -> LoginAttempt | None:
            row = connection.execute(
                """SELECT browser_hash, provider, return_origin, nonce, code_verifier, expires_at
                   FROM login_attempts WHERE state_hash = ?""",
                (digest(state),),
            ).fetchone()
            if row is None:
                return None
            connection.execute("DELETE FROM login_attempts WHERE state_hash = ?", (digest(state),))
            if row["expires_at"] <= now:
                return None
            return LoginAttempt(
                row["provider"], row["return_origin"], row["nonce"], row["code_verifier"], row["browser_hash"]
            )

        return await self.db.write(take)

    async def issue_code(self, claims: VerifiedClaims) -> str:
        """A new login code for ``claims``: 256 random bits, shown once, stored as a hash."""
        code = LOGIN_CODE_PREFIX + secrets.token_urlsafe(32)
        now = self.clock()

        def insert(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM login_codes WHERE expires_at <= ?", (stored(now),))
            connection.execute(
                """INSERT INTO login_codes (code_hash, issuer, subject, email, name, expires_at)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (digest(code), claims.issuer, claims.subject, claims.email, claims.name,
                 stored(now + CODE_TTL)),
            )

        await self.db.write(insert)
        return code

    async def redeem_code(self, code: str) -> VerifiedClaims | None:
        """The claims behind a live code, which is used up; ``None`` if used, expired or unknown."""
        now = self.clock()
        return await self.db.write(lambda connection: take_code(connection, code, now))


def take_code(connection: sqlite3.Connection, code: str, now: datetime) -> VerifiedClaims | None:
    """Redeem ``code`` inside a caller's write, so the session it opens commits with it."""
    row = connection.execute(
        "SELECT issuer, subject, email, name, expires_at FROM login_codes WHERE code_hash = ?",
        (digest(code),),
    ).fetchone()
    if row is None:
        return None
    connection.execute("DELETE FROM login_codes WHERE code_hash = ?", (digest(code),))
    if row["expires_at"] <= stored(now):
        return None
    return VerifiedClaims(row["issuer"], row["subject"], row["email"], row["name"])
