"""The per-IP limit: its window resets, and proxies are believed only when trusted."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from starlette.datastructures import Headers

from tests.web.conftest import Tutor
from tutorgpt_asgi.ratelimit import RateLimiter
from tutorgpt_asgi.settings import parse_networks
from tutorgpt_asgi.web.client_ip import client_ip


def test_the_window_resets(make_tutor) -> None:
    tutor: Tutor = make_tutor(rate_limit="2/second")
    assert [tutor.create_session({}).status_code for _ in range(3)] == [201, 201, 429]
    time.sleep(1.05)
    assert tutor.create_session({}).status_code == 201


def test_untrusted_peer_cannot_spoof_its_ip(make_tutor) -> None:
    tutor: Tutor = make_tutor(rate_limit="2/minute")  # no trusted proxies
    statuses = [
        tutor.create_session({}, **{"X-Forwarded-For": f"198.51.100.{n}"}).status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]  # every request counted against the real peer


@pytest.mark.anyio
async def test_retry_after_comes_from_the_window_state() -> None:
    limiter = RateLimiter("2/minute")
    assert (await limiter.hit("ip")).allowed
    time.sleep(1.1)
    assert (await limiter.hit("ip")).allowed
    decision = await limiter.hit("ip")
    assert not decision.allowed
    assert 57 <= decision.retry_after <= 59  # the oldest hit leaves the window first


def _scope(peer: str, **headers: str) -> dict:
    raw = [(name.lower().replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    return {"type": "http", "client": (peer, 1234), "headers": Headers(raw=raw).raw}


@pytest.mark.parametrize(
    ("peer", "headers", "expected"),
    [
        ("10.0.0.5", {"X-Forwarded-For": "203.0.113.9"}, "203.0.113.9"),
        ("10.0.0.5", {"X-Forwarded-For": "1.1.1.1, 203.0.113.9, 10.0.0.7"}, "203.0.113.9"),
        ("10.0.0.5", {"X-Forwarded-For": "10.0.0.8, 10.0.0.7"}, "10.0.0.8"),
        ("10.0.0.5", {"Forwarded": 'for=192.0.2.60;proto=http, for="[2001:db8::1]"'}, "2001:db8::1"),
        ("10.0.0.5", {"Forwarded": "for=192.0.2.61:4711"}, "192.0.2.61"),
        ("10.0.0.5", {}, "10.0.0.5"),
        ("192.0.2.1", {"X-Forwarded-For": "203.0.113.9"}, "192.0.2.1"),
        # The proxy's Forwarded wins over an X-Forwarded-For the client made up.
        ("10.0.0.5", {"X-Forwarded-For": "198.51.100.77", "Forwarded": "for=203.0.113.9"}, "203.0.113.9"),
        # A port never makes a new client, nor does another spelling of one IPv6 address.
        ("10.0.0.5", {"X-Forwarded-For": "203.0.113.9:4711"}, "203.0.113.9"),
        ("10.0.0.5", {"X-Forwarded-For": "[2001:DB8:0::1]:443"}, "2001:db8::1"),
        ("10.0.0.5", {"Forwarded": 'for="[2001:db8::1]:4711"'}, "2001:db8::1"),
        ("10.0.0.5", {"Forwarded": "For = 192.0.2.60"}, "192.0.2.60"),
    ],
)
def test_client_ip_behind_trusted_proxies(peer: str, headers: dict, expected: str) -> None:
    assert client_ip(_scope(peer, **headers), parse_networks(("10.0.0.0/8",))) == expected


@pytest.mark.anyio
async def test_the_memory_window_forgets_idle_clients() -> None:
    limiter = RateLimiter("1/second")
    for number in range(500):
        assert (await limiter.hit(f"198.51.100.{number}")).allowed
    assert limiter.memory is not None and limiter.memory.tracked_clients == 500
    assert not (await limiter.hit("198.51.100.7")).allowed  # still a moving window
    time.sleep(1.1)  # every window has emptied; the next hit schedules a sweep
    assert (await limiter.hit("203.0.113.1")).allowed
    time.sleep(limiter.memory.SWEEP_INTERVAL + 0.3)  # one slice covers all 500
    assert limiter.memory.tracked_clients <= 1


def test_the_memory_limiter_stores_under_the_strategys_key() -> None:
    limiter = RateLimiter("10/minute", namespace="session:")
    assert limiter.storage_key("203.0.113.9") == limiter.item.key_for("session:203.0.113.9")


def _sweepers() -> set[int | None]:
    return {thread.ident for thread in threading.enumerate() if thread.name == "ratelimit-sweep"}


@pytest.mark.anyio
async def test_one_sweeper_thread_while_clients_are_tracked_then_none() -> None:
    """``limits`` started a new timer thread after every sweep, from the event loop: ~120 µs of
    CPU and up to milliseconds of stall, ten times a second under load."""
    limiter = RateLimiter("1/second")
    assert limiter.memory is not None
    others = _sweepers()
    for number in range(10):  # hits over five sweep intervals
        await limiter.hit(f"198.51.100.{number}")
        await asyncio.sleep(limiter.memory.SWEEP_INTERVAL / 2)
    assert len(_sweepers() - others) == 1
    deadline = time.monotonic() + 5
    while limiter.memory.tracked_clients and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(limiter.memory.SWEEP_INTERVAL * 3)
    assert limiter.memory.tracked_clients == 0 and _sweepers() - others == set()
    assert (await limiter.hit("203.0.113.1")).allowed and len(_sweepers() - others) == 1  # started again


def test_a_client_cannot_pick_its_bucket_behind_a_forwarded_proxy(make_tutor) -> None:
    """12/12 bypasses before: a made-up X-Forwarded-For won over the proxy's Forwarded."""
    tutor: Tutor = make_tutor(rate_limit="2/minute", trusted_proxies=["127.0.0.1"])
    statuses = [
        tutor.create_session(
            {}, **{"X-Forwarded-For": f"198.51.100.{n}", "Forwarded": f"for=203.0.113.9:{5000 + n}"}
        ).status_code
        for n in range(4)
    ]
    assert statuses == [201, 201, 429, 429]
