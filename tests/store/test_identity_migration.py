"""Migration 0004 rebuilds ``students`` (its email stops being unique) on a database that has
history: nothing that references a student is lost, and erasing still cascades afterwards."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tutorgpt_asgi.store.migrations import apply_migrations, available_migrations

NOW = "2026-01-01T00:00:00.000000Z"


def _version_3_database(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA foreign_keys=ON")
    apply_migrations(connection, [m for m in available_migrations() if m[0] <= 3])
    rows = {
        "students": ("stu_1", "jane@example.com", "Jane", "beginner", NOW, NOW),
        "sessions": ("sess_1", "stu_1", b"hash", None, None, None, None, None, "{}", NOW, NOW, NOW, NOW, None),
        "threads": ("thr_1", "stu_1", "A thread", NOW, NOW),
        "items": ("msg_1", "thr_1", "stu_1", 1, "assistant_message", NOW, "{}"),
        "feedback": ("msg_1", "stu_1", "thr_1", "sess_1", "positive", NOW),
        "visits": ("stu_1", "lesson:c/l", "/docs/l", "L", "c", "l", 2, NOW, NOW),
    }
    for table, values in rows.items():
        connection.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(values))})", values)
    connection.execute("INSERT INTO students VALUES ('stu_2', NULL, NULL, 'beginner', ?, ?)", (NOW, NOW))
    return connection


def test_an_old_database_keeps_every_row_and_its_email_students_become_claimed_identities(tmp_path: Path) -> None:
    connection = _version_3_database(tmp_path / "old.db")
    counts = {t: connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("students", "sessions", "threads", "items", "feedback", "visits")}
    assert apply_migrations(connection) == max(m[0] for m in available_migrations())
    assert connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # restored after migrating
    for table, count in counts.items():
        assert connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == count, table
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    assert connection.execute("SELECT issuer, subject, student_id FROM student_identities").fetchall() == [
        ("claimed-email", "jane@example.com", "stu_1")
    ]
    # Two students may now claim one email.
    connection.execute("INSERT INTO students VALUES ('stu_3', 'jane@example.com', NULL, 'beginner', ?, ?)", (NOW, NOW))
    # And erasing a student still cascades through the rebuilt table.
    connection.execute("DELETE FROM students WHERE id = 'stu_1'")
    for table in ("sessions", "threads", "items", "feedback", "visits", "student_identities"):
        assert connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table
    connection.close()
