"""Database URLs: ``sqlite:///path`` or ``postgresql://user:password@host:port/database``.

One parser for the main store and the book index, so both settings accept the same forms and
fail with the same messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

SQLITE_PREFIX = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True, slots=True)
class DatabaseURL:
    """A parsed database URL: the engine and what it needs to connect."""

    engine: str  # "sqlite" or "postgresql"
    #: The SQLite file path (``:memory:`` allowed), or the PostgreSQL DSN as given.
    target: str
    #: The URL with any password replaced by ``***``: safe for logs and error messages.
    display: str


def parse_database_url(url: str) -> DatabaseURL:
    """Parse ``url``; raises ``ValueError`` with a message a person can act on."""
    if url.startswith(SQLITE_PREFIX):
        # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy reads them
        path = url[len(SQLITE_PREFIX) :].split("?", 1)[0] or ":memory:"
        return DatabaseURL("sqlite", path, url)
    parts = urlsplit(url)
    if parts.scheme in POSTGRES_SCHEMES:
        if not parts.hostname and "host=" not in parts.query:
            raise ValueError(f"{hide_password(url)!r} names no host; use postgresql://user@host:5432/db")
        return DatabaseURL("postgresql", url, hide_password(url))
    raise ValueError(
        f"{hide_password(url)!r} is not supported; use sqlite:///path/to/file.db or "
        "postgresql://user:password@host:5432/database"
    )


def hide_password(url: str) -> str:
    """``url`` with its password, if any, replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
