"""The same moving-window limit on Redis, shared by every worker and machine that uses it."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Iterator

import pytest
import redis

from tests.web.conftest import Tutor
from tutorgpt_asgi.ratelimit import RateLimiter

#: A database number of its own: other projects on the machine use Redis's db 0.
REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError as error:  # the machines of this project start Redis; say so if not
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {error}")
    return REDIS_URL


@pytest.fixture
def own_keys(redis_url: str) -> Iterator[list[str]]:
    """Markers (a namespace, client addresses) in this test's keys; only those keys are deleted."""
    markers: list[str] = []
    yield markers
    client = redis.Redis.from_url(redis_url)
    for marker in markers:
        for key in client.scan_iter(match=f"*{marker}*"):
            client.delete(key)


def _unique_ipv6() -> str:
    return str(ipaddress.ip_address(f"2001:db8:{secrets.token_hex(2)}::{secrets.token_hex(2)}"))


@pytest.mark.anyio
async def test_two_limiters_on_one_redis_share_the_window(redis_url: str, own_keys: list[str]) -> None:
    namespace = f"test:{secrets.token_hex(4)}:"
    own_keys.append(namespace)
    first = RateLimiter("3/minute", redis_url, namespace=namespace)
    second = RateLimiter("3/minute", redis_url, namespace=namespace)  # another worker
    assert [(await limiter.hit("203.0.113.7")).allowed for limiter in (first, second, first)] == [
        True, True, True
    ]
    refused = await second.hit("203.0.113.7")
    assert not refused.allowed and 1 <= refused.retry_after <= 60
    assert (await first.hit("198.51.100.1")).allowed


def test_the_session_endpoint_on_redis(make_tutor, redis_url: str, own_keys: list[str]) -> None:
    """Unique client addresses keep this test's keys its own; nothing else in Redis is touched."""
    tutor: Tutor = make_tutor(
        rate_limit="2/minute", rate_limit_storage=redis_url, trusted_proxies=["127.0.0.1"]
    )
    ip, other = _unique_ipv6(), _unique_ipv6()
    own_keys += [ip, other]
    statuses = [tutor.create_session({}, **{"X-Forwarded-For": ip}).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    assert tutor.create_session({}, **{"X-Forwarded-For": other}).status_code == 201

    keys = redis.Redis.from_url(redis_url).keys(f"*{ip}*")
    assert keys, "the window lives in the test's own Redis database"
