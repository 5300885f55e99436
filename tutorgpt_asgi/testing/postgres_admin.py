"""Throwaway PostgreSQL databases for the tests and the benchmarks.

Both create a database of their own per test or per server, named ``<prefix>_<random>``, on
a server whose admin URL they know, and drop it afterwards; nothing else on the server is
touched. One copy here so the two cannot drift (the drop must stay ``WITH (FORCE)``: a server
killed mid-test can leave connections behind that would otherwise block it).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit, urlunsplit

import asyncpg


async def _execute(admin_url: str, sql: str) -> None:
    """Run one statement on its own connection: CREATE/DROP DATABASE cannot run in a transaction."""
    connection = await asyncpg.connect(admin_url, timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _name_of(database_url: str) -> str:
    return urlsplit(database_url).path.lstrip("/")


async def create_database(admin_url: str, prefix: str) -> str:
    """Create ``<prefix>_<random hex>`` on ``admin_url``'s server and return its URL."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    await _execute(admin_url, f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


async def drop_database(admin_url: str, database_url: str) -> None:
    """Drop the database ``database_url`` names, closing whatever connections it still has."""
    await _execute(admin_url, f'DROP DATABASE IF EXISTS "{_name_of(database_url)}" WITH (FORCE)')
