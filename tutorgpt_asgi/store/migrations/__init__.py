"""Versioned schema migrations, one numbered sequence for both engines.

A migration is ``NNNN_name.sql`` when its SQL runs on SQLite and PostgreSQL alike, or a pair
``NNNN_name.sqlite.sql`` + ``NNNN_name.postgresql.sql`` for a number whose dialects differ (a
column type, say). Each engine records the last applied number (SQLite in ``PRAGMA
user_version``, PostgreSQL in ``tutorgpt_schema``) and applies newer ones in order, each in its
own transaction under the engine's write lock, re-reading the version under that lock, so
workers and hosts that start together apply each migration exactly once; a failing migration
leaves the database at the previous version, never half-migrated.

On SQLite, foreign keys are switched off while a migration runs and checked before it commits:
that is SQLite's documented way to rebuild a table (a ``DROP TABLE`` with foreign keys on would
first delete every row, and cascade that delete into every table that references it).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

logger = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+?(?:\.(sqlite|postgresql))?\.sql$")
ENGINES = ("sqlite", "postgresql")


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema: its number, file name and SQL for one engine."""

    version: int
    name: str
    sql: str


def available_migrations(engine: str = "sqlite") -> list[Migration]:
    """The migrations shipped for ``engine``, in order (a dialect file wins over a shared one)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}")
    chosen: dict[int, tuple[bool, str, str]] = {}
    for entry in resources.files(__package__).iterdir():
        match = _NAME.match(entry.name)
        if match is None or match.group(2) not in (None, engine):
            continue
        version, specific = int(match.group(1)), match.group(2) is not None
        if version in chosen and chosen[version][0] == specific:
            raise ValueError(f"two migrations numbered {version:04d} for {engine}")
        if version not in chosen or specific:
            chosen[version] = (specific, entry.name, entry.read_text(encoding="utf-8"))
    return [Migration(version, name, sql) for version, (_, name, sql) in sorted(chosen.items())]


def schema_version(connection: sqlite3.Connection) -> int:
    """The number of the last migration applied to this SQLite file (0 for a new file)."""
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def apply_migrations(connection: sqlite3.Connection, migrations: list[Migration] | None = None) -> int:
    """Bring an SQLite file up to date; return the new version.

    The version is read again inside each migration's write transaction (``BEGIN IMMEDIATE``
    takes SQLite's write lock): whoever gets the lock second finds the migration applied.
    """
    current = schema_version(connection)
    foreign_keys = connection.execute("PRAGMA foreign_keys").fetchone()[0]
    connection.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction: set it here
    try:
        for migration in migrations if migrations is not None else available_migrations("sqlite"):
            if migration.version > current:
                current = _apply(connection, migration)
    finally:
        connection.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
    return current


def _apply(connection: sqlite3.Connection, migration: Migration) -> int:
    """One migration in its own transaction; returns the database's version afterwards."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        current = schema_version(connection)
        if migration.version > current:
            logger.info("Applying migration %s", migration.name)
            for statement in split_statements(migration.sql):
                connection.execute(statement)
            broken = connection.execute("PRAGMA foreign_key_check").fetchone()
            if broken is not None:
                raise sqlite3.IntegrityError(f"{migration.name} leaves a dangling reference in {broken[0]}")
            connection.execute(f"PRAGMA user_version = {migration.version:d}")
            current = migration.version
        connection.execute("COMMIT")
    except Exception:
        connection.execute("ROLLBACK")
        raise
    return current


def split_statements(sql: str) -> list[str]:
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
