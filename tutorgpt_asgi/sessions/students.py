"""Choosing the student of a new session from its proof, and erasing a student.

Runs inside the session's write transaction, so a refused proof (an unknown key) raises and
leaves nothing behind. The order of proofs is decided by the caller: a verified identity, else
a student key, else a new student who gets a new key. A claimed email or name is only written
to the profile of the student the proof selected, so it can never reach someone else's.
"""

from __future__ import annotations

import sqlite3
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

DEFAULT_LEVEL = "beginner"


@dataclass(frozen=True, slots=True)
class ChosenStudent:
    """The session's student, and the key shown once when the student was just created."""

    student_id: str
    new_key: str | None = None


def choose_student(
    connection: sqlite3.Connection, request: SessionRequest, identity: VerifiedIdentity | None, now: str
) -> ChosenStudent:
    """The student the proof selects (created on first sight); hints only fill its profile."""
    if identity is not None and identity.signed_in:
        return _student_for_sign_in(connection, identity, request, now)
    if identity is not None:
        return ChosenStudent(_student_for_identity(connection, identity, request, now))
    if request.student_key is not None:
        row = connection.execute(
            "SELECT student_id FROM student_keys WHERE key_hash = ?",
            (hash_student_key(request.student_key),),
        ).fetchone()
        if row is None:
            raise IdentityRejected(
                "INVALID_STUDENT_KEY", "This student key is unknown or was erased. Start again "
                "without it to become a new student.",
            )
        _update_profile(connection, row[0], request.student_email, request.student_name, request, now)
        return ChosenStudent(row[0])
    student_id = _insert_student(connection, request.student_email, request.student_name, request, now)
    return ChosenStudent(student_id, _new_key(connection, student_id, now))


def _student_for_sign_in(
    connection: sqlite3.Connection, identity: VerifiedIdentity, request: SessionRequest, now: str
) -> ChosenStudent:
    """A sign-in's student, with a new key for this browser. The browser's own key, if it names
    an anonymous student, brings that student's history along (see ``linking.py``): adopted on
    a first sign-in, merged into the known student otherwise. An unknown key is ignored rather
    than refused, so a stale key does not waste the single-use login code."""
    anonymous = anonymous_student_of(connection, request.student_key)
    known = connection.execute(
        "SELECT student_id FROM student_identities WHERE issuer = ? AND subject = ?",
        (identity.issuer, identity.subject),
    ).fetchone()
    if known is None and anonymous is not None:
        connection.execute(
            """INSERT INTO student_identities (issuer, subject, student_id, created_at, last_seen_at)
               VALUES (?, ?, ?, ?, ?)""",
            (identity.issuer, identity.subject, anonymous, now, now),
        )
    elif known is not None and anonymous is not None and anonymous != known[0]:
        merge_students(connection, anonymous, str(known[0]), now)
    student_id = _student_for_identity(connection, identity, request, now)
    return ChosenStudent(student_id, _new_key(connection, student_id, now))


def _new_key(connection: sqlite3.Connection, student_id: str, now: str) -> str:
    key = new_student_key()
    connection.execute(
        "INSERT INTO student_keys (key_hash, student_id, created_at) VALUES (?, ?, ?)",
        (hash_student_key(key), student_id, now),
    )
    return key


def _student_for_identity(
    connection: sqlite3.Connection, identity: VerifiedIdentity, request: SessionRequest, now: str
) -> str:
    """The identity's student, linked on first sight; the identity's own claims win over hints."""
    email = identity.email or request.student_email
    name = identity.name or request.student_name
    row = connection.execute(
        "SELECT student_id FROM student_identities WHERE issuer = ? AND subject = ?",
        (identity.issuer, identity.subject),
    ).fetchone()
    if row is not None:
        connection.execute(
            "UPDATE student_identities SET last_seen_at = ? WHERE issuer = ? AND subject = ?",
            (now, identity.issuer, identity.subject),
        )
        _update_profile(connection, row[0], email, name, request, now)
        return str(row[0])
    student_id = _insert_student(connection, email, name, request, now)
    connection.execute(
        """INSERT INTO student_identities (issuer, subject, student_id, created_at, last_seen_at)
           VALUES (?, ?, ?, ?, ?)""",
        (identity.issuer, identity.subject, student_id, now, now),
    )
    return student_id


def _insert_student(
    connection: sqlite3.Connection, email: str | None, name: str | None, request: SessionRequest, now: str
) -> str:
    student_id = new_id("stu")
    connection.execute(
        """INSERT INTO students (id, email, name, learning_level, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (student_id, email, name, request.learning_level or DEFAULT_LEVEL, now, now),
    )
    return student_id


def _update_profile(
    connection: sqlite3.Connection, student_id: str, email: str | None, name: str | None,
    request: SessionRequest, now: str,
) -> None:
    """What the proven student says about themselves now; missing values keep the old ones."""
    connection.execute(
        """UPDATE students SET email = COALESCE(?, email), name = COALESCE(?, name),
               learning_level = COALESCE(?, learning_level), updated_at = ?
           WHERE id = ?""",
        (email, name, request.learning_level, now, student_id),
    )


def erase_student(connection: sqlite3.Connection, student_id: str) -> None:
    """Delete the student; foreign keys cascade to every row that belongs to them."""
    connection.execute("DELETE FROM students WHERE id = ?", (student_id,))
