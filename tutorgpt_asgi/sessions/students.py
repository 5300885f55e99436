"""Choosing the student of a new session from its proof, and erasing a student.

Runs inside the session's write transaction, so a refused proof (an unknown key) raises and
leaves nothing behind. The order of proofs is decided by the caller: a verified identity, else
a student key, else a new student who gets a new key. A claimed email or name is only written
to the profile of the student the proof selected, so it can never reach someone else's.
"""

from __future__ import annotations

from dataclasses import dataclass

from tutorgpt_asgi.ids import new_id
from tutorgpt_asgi.sessions.context import SessionRequest
from tutorgpt_asgi.sessions.identity import (
    IdentityRejected,
    VerifiedIdentity,
    hash_student_key,
    new_student_key,
)
from tutorgpt_asgi.sessions.linking import anonymous_student_of, merge_students
from tutorgpt_asgi.store.database import Transaction

DEFAULT_LEVEL = "beginner"


@dataclass(frozen=True, slots=True)
class ChosenStudent:
    """The session's student, and the key shown once when the student was just created."""

    student_id: str
    new_key: str | None = None


async def choose_student(
    tx: Transaction, request: SessionRequest, identity: VerifiedIdentity | None, now: str
) -> ChosenStudent:
    """The student the proof selects (created on first sight); hints only fill its profile."""
    if identity is not None and identity.signed_in:
        return await _student_for_sign_in(tx, identity, request, now)
    if identity is not None:
        return ChosenStudent(await _student_for_identity(tx, identity, request, now))
    if request.student_key is not None:
        row = await tx.fetchone(
            "SELECT student_id FROM student_keys WHERE key_hash = ?",
            (hash_student_key(request.student_key),),
        )
        if row is None:
            raise IdentityRejected(
                "INVALID_STUDENT_KEY", "This student key is unknown or was erased. Start again "
                "without it to become a new student.",
            )
        await _update_profile(tx, row[0], request.student_email, request.student_name, request, now)
        return ChosenStudent(row[0])
    student_id = await _insert_student(tx, request.student_email, request.student_name, request, now)
    return ChosenStudent(student_id, await _new_key(tx, student_id, now))


async def _student_for_sign_in(
    tx: Transaction, identity: VerifiedIdentity, request: SessionRequest, now: str
) -> ChosenStudent:
    """A sign-in's student, with a new key for this browser. The browser's own key, if it names
    an anonymous student, brings that student's history along (see ``linking.py``): adopted on
    a first sign-in, merged into the known student otherwise. An unknown key is ignored rather
    than refused, so a stale key does not waste the single-use login code."""
    anonymous = await anonymous_student_of(tx, request.student_key)
    known = await tx.fetchone(
        "SELECT student_id FROM student_identities WHERE issuer = ? AND subject = ?",
        (identity.issuer, identity.subject),
    )
    if known is None and anonymous is not None:
        await tx.execute(
            """INSERT INTO student_identities (issuer, subject, student_id, created_at, last_seen_at)
               VALUES (?, ?, ?, ?, ?)""",
            (identity.issuer, identity.subject, anonymous, now, now),
        )
    elif known is not None and anonymous is not None and anonymous != known[0]:
        await merge_students(tx, anonymous, str(known[0]), now)
    student_id = await _student_for_identity(tx, identity, request, now)
    return ChosenStudent(student_id, await _new_key(tx, student_id, now))


async def _new_key(tx: Transaction, student_id: str, now: str) -> str:
    key = new_student_key()
    await tx.execute(
        "INSERT INTO student_keys (key_hash, student_id, created_at) VALUES (?, ?, ?)",
        (hash_student_key(key), student_id, now),
    )
    return key


async def _student_for_identity(
    tx: Transaction, identity: VerifiedIdentity, request: SessionRequest, now: str
) -> str:
    """The identity's student, linked on first sight; the identity's own claims win over hints."""
    email = identity.email or request.student_email
    name = identity.name or request.student_name
    row = await tx.fetchone(
        "SELECT student_id FROM student_identities WHERE issuer = ? AND subject = ?",
        (identity.issuer, identity.subject),
    )
    if row is not None:
        await tx.execute(
            "UPDATE student_identities SET last_seen_at = ? WHERE issuer = ? AND subject = ?",
            (now, identity.issuer, identity.subject),
        )
        await _update_profile(tx, row[0], email, name, request, now)
        return str(row[0])
    student_id = await _insert_student(tx, email, name, request, now)
    await tx.execute(
        """INSERT INTO student_identities (issuer, subject, student_id, created_at, last_seen_at)
           VALUES (?, ?, ?, ?, ?)""",
        (identity.issuer, identity.subject, student_id, now, now),
    )
    return student_id


async def _insert_student(
    tx: Transaction, email: str | None, name: str | None, request: SessionRequest, now: str
) -> str:
    student_id = new_id("stu")
    await tx.execute(
        """INSERT INTO students (id, email, name, learning_level, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (student_id, email, name, request.learning_level or DEFAULT_LEVEL, now, now),
    )
    return student_id


async def _update_profile(
    tx: Transaction, student_id: str, email: str | None, name: str | None,
    request: SessionRequest, now: str,
) -> None:
    """What the proven student says about themselves now; missing values keep the old ones."""
    await tx.execute(
        """UPDATE students SET email = COALESCE(?, email), name = COALESCE(?, name),
               learning_level = COALESCE(?, learning_level), updated_at = ?
           WHERE id = ?""",
        (email, name, request.learning_level, now, student_id),
    )


async def erase_student(tx: Transaction, student_id: str) -> None:
    """Delete the student; foreign keys cascade to every row that belongs to them."""
    await tx.execute("DELETE FROM students WHERE id = ?", (student_id,))
