"""Linking a browser's anonymous history to the reader who signs in on it.

A reader may use a book anonymously (a student key in the browser) and sign in later. Their
history should follow them, but only on proof: the browser's student key. A claimed email, a
name or a guessed student id never moves anything. The key's student is linked only while it is
anonymous (no verified identity): a key left behind by someone else's sign-in never merges two
verified people.

Runs inside the session's write transaction (``choose_student``), so a sign-in either links
everything or nothing.
"""

from __future__ import annotations

import sqlite3

from tutorgpt_asgi.sessions.identity import hash_student_key

#: Tables whose rows belong to a student and simply change owner. ``visits`` is merged apart
#: (one row per page and student), and the anonymous student's keys are deleted with it.
_OWNED_TABLES = ("sessions", "threads", "items", "feedback")


def anonymous_student_of(connection: sqlite3.Connection, student_key: str | None) -> str | None:
    """The student ``student_key`` proves, if it has no verified identity; else ``None``."""
    if not student_key:
        return None
    row = connection.execute(
        """SELECT k.student_id FROM student_keys k
           WHERE k.key_hash = ? AND NOT EXISTS (
               SELECT 1 FROM student_identities i WHERE i.student_id = k.student_id)""",
        (hash_student_key(student_key),),
    ).fetchone()
    return None if row is None else str(row[0])


def merge_students(connection: sqlite3.Connection, source: str, target: str, now: str) -> None:
    """Move everything of ``source`` to ``target`` and delete ``source``.

    Visits are one row per (student, page), so a page both read is summed into one row with the
    earlier first visit and the later last visit. Done row by row in Python rather than with an
    engine's upsert or ``MIN``/``LEAST``, so the SQL stays portable; a book has few pages.
    """
    for table in _OWNED_TABLES:
        connection.execute(f"UPDATE {table} SET student_id = ? WHERE student_id = ?", (target, source))
    for row in connection.execute(
        "SELECT page_key, visits, first_visit_at, last_visit_at FROM visits WHERE student_id = ?", (source,)
    ).fetchall():
        mine = connection.execute(
            "SELECT visits, first_visit_at, last_visit_at FROM visits WHERE student_id = ? AND page_key = ?",
            (target, row[0]),
        ).fetchone()
        if mine is None:
            connection.execute(
                "UPDATE visits SET student_id = ? WHERE student_id = ? AND page_key = ?", (target, source, row[0])
            )
            continue
        connection.execute(
            """UPDATE visits SET visits = ?, first_visit_at = ?, last_visit_at = ?
               WHERE student_id = ? AND page_key = ?""",
            (mine[0] + row[1], min(mine[1], row[2]), max(mine[2], row[3]), target, row[0]),
        )
    connection.execute("DELETE FROM students WHERE id = ?", (source,))
    connection.execute("UPDATE students SET updated_at = ? WHERE id = ?", (now, target))
