"""Limits that hold across workers, and honest answers when Redis or PostgreSQL is missing."""

from __future__ import annotations

import ipaddress
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.chatkit import requests as req
from tests.support.databases import postgres_database
from tests.support.redis_server import OwnRedis, own_redis
from tests.support.servers import REPO, cli_server, free_port
from tests.web.conftest import Tutor

SHARED_REDIS = "redis://127.0.0.1:6379"


def _unique_ip() -> str:
    """An address of the documentation range no other test or run will use within a minute."""
    return str(ipaddress.IPv6Address(int(ipaddress.IPv6Address("2001:db8::")) + secrets.randbits(64)))


def _serve(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tutorgpt_asgi.cli", "serve", "--port", str(free_port()), *args],
        env={**os.environ, **env}, cwd=REPO, capture_output=True, text=True, timeout=60,
    )


def test_several_workers_refuse_per_process_limits(tmp_path: Path) -> None:
    result = _serve("--workers", "2", TUTORGPT_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}",
                    TUTORGPT_RATE_LIMIT_STORAGE="memory://")
    assert result.returncode == 2
    assert "TUTORGPT_RATE_LIMIT_STORAGE" in result.stderr and "--workers 2" in result.stderr


def test_start_up_names_an_unreachable_database() -> None:
    result = _serve(TUTORGPT_DATABASE_URL=f"postgresql://postgres:pw@127.0.0.1:{free_port()}/nothing")
    assert result.returncode == 2
    assert "TUTORGPT_DATABASE_URL" in result.stderr and "pw@" not in result.stderr
    assert "Traceback" not in result.stderr


def test_start_up_names_an_unreachable_redis(tmp_path: Path) -> None:
    result = _serve(TUTORGPT_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}",
                    TUTORGPT_RATE_LIMIT_STORAGE=f"redis://127.0.0.1:{free_port()}")
    assert result.returncode == 2
    assert "TUTORGPT_RATE_LIMIT_STORAGE" in result.stderr and "TUTORGPT_RATE_LIMIT_FAIL_OPEN" in result.stderr


@pytest.fixture
def redis_server() -> Iterator[OwnRedis]:
    with own_redis() as server:
        yield server


def test_redis_down_is_a_503_with_retry_after_and_degraded_health(make_tutor, redis_server: OwnRedis) -> None:
    tutor: Tutor = make_tutor(rate_limit_storage=redis_server.url)
    secret = tutor.create_session({}).json()["client_secret"]
    assert tutor.http.get("/health").json() == {"status": "ok", "database": "ok", "rate_limit_storage": "ok"}
    redis_server.stop()

    response = tutor.create_session({})
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "Service unavailable"
    assert [detail["code"] for detail in body["details"]] == ["RATE_LIMIT_UNAVAILABLE"]
    assert response.headers["retry-after"] == str(body["retry_after"]) and body["retry_after"] >= 1
    assert body["request_id"] == response.headers["x-request-id"]

    health = tutor.http.get("/health")
    assert health.status_code == 503
    assert health.json() == {"status": "degraded", "database": "ok", "rate_limit_storage": "unavailable"}

    message = tutor.http.post("/", content=req.create("hello"), headers={
        "Authorization": f"Bearer {secret}", "Content-Type": "application/json"})
    assert message.status_code == 503 and message.headers["retry-after"]
    assert message.json()["details"][0]["code"] == "RATE_LIMIT_UNAVAILABLE"


def test_fail_open_keeps_serving_without_limits(make_tutor, redis_server: OwnRedis) -> None:
    tutor: Tutor = make_tutor(rate_limit_storage=redis_server.url, rate_limit_fail_open=True, rate_limit="1/minute")
    redis_server.stop()
    assert [tutor.create_session({}).status_code for _ in range(3)] == [201, 201, 201]
    health = tutor.http.get("/health")
    assert health.status_code == 200
    assert health.json() == {"status": "degraded", "database": "ok", "rate_limit_storage": "unavailable"}


def test_two_workers_on_postgresql_and_redis_allow_exactly_ten_sessions_a_minute_per_ip(tmp_path: Path) -> None:
    ip = _unique_ip()
    with postgres_database() as database_url:
        env = {
            "TUTORGPT_DATABASE_URL": database_url,
            "TUTORGPT_DATABASE_POOL_SIZE": "4",
            "TUTORGPT_BOOK_DATABASE_URL": f"sqlite:///{tmp_path / 'book.db'}",
            "TUTORGPT_RATE_LIMIT_STORAGE": SHARED_REDIS,
            "TUTORGPT_TRUSTED_PROXIES": "127.0.0.1",
        }
        with cli_server(["serve", "--workers", "2"], env) as base:
            statuses = []
            for _ in range(30):  # a new connection each time: the kernel spreads them over both workers
                with httpx.Client(base_url=base, timeout=10) as client:
                    statuses.append(client.post("/session", json={}, headers={"X-Forwarded-For": ip}).status_code)
            other = httpx.post(base + "/session", json={}, headers={"X-Forwarded-For": _unique_ip()})
    assert statuses.count(201) == 10 and statuses.count(429) == 20, statuses
    assert statuses[:10] == [201] * 10
    assert other.status_code == 201
