"""Versioned schema migrations: ``NNNN_name.sql`` files applied in order at start-up.

``PRAGMA user_version`` records the last applied number, so an old database file is brought up
to date step by step and a migrated one is left alone. Each file runs in its own transaction:
a failing migration leaves the database at the previous version, never half-migrated.

Foreign keys are switched off while a migration runs and checked before it commits: that is
SQLite's documented way to rebuild a table (a ``DROP TABLE`` with foreign keys on would first
delete every row, and cascade that delete into every table that references it).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from importlib import resources

logger = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def available_migrations() -> list[tuple[int, str, str]]:
    """``(version, file name, SQL)`` for every migration shipped with the package, in order."""
    found = []
    for entry in resources.files(__package__).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    return found


def schema_version(connection: sqlite3.Connection) -> int:
    """The number of the last migration applied to this database (0 for a new file)."""
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def apply_migrations(
    connection: sqlite3.Connection, migrations: list[tuple[int, str, str]] | None = None
) -> int:
    """Apply every migration newer than the database's version; return the new version.

    Several worker processes may start on the same new file at once, so the version is read
    again inside each migration's write transaction: whoever gets the lock second finds the
    migration applied and skips it.
    """
    current = schema_version(connection)
    foreign_keys = connection.execute("PRAGMA foreign_keys").fetchone()[0]
    connection.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction: set it here
    try:
        for version, name, sql in migrations if migrations is not None else available_migrations():
            if version > current:
                current = _apply(connection, version, name, sql)
    finally:
        connection.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
    return current


def _apply(connection: sqlite3.Connection, version: int, name: str, sql: str) -> int:
    """One migration in its own transaction; returns the database's version afterwards."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        current = schema_version(connection)
        if version > current:
            logger.info("Applying migration %s", name)
            for statement in _statements(sql):
                connection.execute(statement)
            broken = connection.execute("PRAGMA foreign_key_check").fetchone()
            if broken is not None:
                raise sqlite3.IntegrityError(f"{name} leaves a dangling reference in {broken[0]}")
            connection.execute(f"PRAGMA user_version = {version:d}")
            current = version
        connection.execute("COMMIT")
    except Exception:
        connection.execute("ROLLBACK")
        raise
    return current


def _statements(sql: str) -> list[str]:
    """Split a migration into statements; SQLite's own tokenizer decides where each one ends,
    so semicolons inside comments, strings and trigger bodies are handled."""
    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
    ):
        raise ValueError(f"Incomplete SQL statement at the end of a migration: {buffer.strip()[:80]}")
    return statements
