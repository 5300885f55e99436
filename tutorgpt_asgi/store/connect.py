"""Choose the engine from the database URL."""

from __future__ import annotations

from tutorgpt_asgi.store.database import Database
from tutorgpt_asgi.store.urls import parse_database_url


def database_for(url: str, *, sqlite_synchronous: str = "NORMAL", pool_size: int = 10) -> Database:
    """An unopened :class:`Database` for ``url`` (``sqlite:///...`` or ``postgresql://...``).

    Raises ``ValueError`` for a URL neither engine takes. The PostgreSQL engine is imported
    only when used, so an SQLite deployment never loads asyncpg.
    """
    parsed = parse_database_url(url)
    if parsed.engine == "postgresql":
        from tutorgpt_asgi.store.postgres import PostgresDatabase

        return PostgresDatabase(parsed.target, display_url=parsed.display, pool_size=pool_size)
    from tutorgpt_asgi.store.sqlite import SQLiteDatabase

    return SQLiteDatabase(parsed.target, synchronous=sqlite_synchronous)
