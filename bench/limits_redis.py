"""The Redis the suite's multi-worker servers count their limits in, and a check that it answers.

``tutorgpt serve --workers 2`` refuses per-process limits, so every two-worker server (SQLite or
PostgreSQL) needs Redis. The suite uses ``TUTORGPT_BENCH_REDIS_URL`` (default
``redis://127.0.0.1:6379``) on a database number of its own, 12, unless the URL names one: the
tests use 13 and other projects on these machines use 0. Nothing is ever flushed or deleted:
the only keys are the limiter's per-address windows, which expire after their minute, and each
run draws its client addresses from a random base, so concurrent runs do not share windows.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import redis

from bench.procs import BenchError
from tutorgpt_asgi.store.urls import hide_password

#: The database number the suite uses when ``TUTORGPT_BENCH_REDIS_URL`` names none.
BENCH_DB = 12


def limits_url(base: str | None = None) -> str:
    """The Redis URL for the servers' limits: the configured one, on database 12 by default."""
    url = base or os.environ.get("TUTORGPT_BENCH_REDIS_URL", "redis://127.0.0.1:6379")
    parts = urlsplit(url)
    if parts.path.strip("/"):
        return url
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def check(url: str) -> None:
    """Raise a :class:`BenchError` naming the setting when Redis does not answer."""
    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError as error:
        raise BenchError(
            f"two-worker servers count limits in Redis, which does not answer at {hide_password(url)} ({error}); "
            "start Redis or set TUTORGPT_BENCH_REDIS_URL"
        ) from None
