"""Identity tests: signing keys, a JWKS endpoint served over real HTTP, served TutorGPT apps
backed by the scripted model server, and a snapshot of every table to prove nothing changed."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.chatkit.conftest import Chat
from tests.support.servers import serve
from tests.support.tutor import ServedTutor, start_served

HS_SECRET = "a-test-secret-long-enough-for-every-hmac-algorithm-0123456789abcdef"
AUDIENCE = "book.example"
ISSUER = "https://login.example"


def table_names(db_path: Path) -> list[str]:
    """Every table of the database, read from sqlite_master (so future tables are covered)."""
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    return sorted(row[0] for row in rows)


def snapshot(db_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for "nothing stored changed" checks."""
    connection = sqlite3.connect(db_path)
    try:
        return {
            name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in table_names(db_path)
        }
    finally:
        connection.close()


def token(claims: dict[str, Any], *, key: Any = HS_SECRET, algorithm: str = "HS256",
          kid: str | None = None, lifetime: int = 300) -> str:
    """A signed JWT with ``exp``, ``aud`` and ``iss`` filled in unless ``claims`` sets them."""
    now = int(time.time())
    payload = {"exp": now + lifetime, "iat": now, "aud": AUDIENCE, "iss": ISSUER, **claims}
    payload = {name: value for name, value in payload.items() if value is not None}
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": kid} if kid else None)


@dataclass
class Jwks:
    """A JWKS endpoint on loopback: its keys can be rotated, and its fetches are counted."""

    url: str
    keys: list[dict[str, Any]]
    fetches: list[float] = field(default_factory=list)

    def publish(self, private_key: Any, kid: str) -> None:
        algorithm = jwt.algorithms.RSAAlgorithm if isinstance(private_key, rsa.RSAPrivateKey) \
            else jwt.algorithms.ECAlgorithm
        jwk = algorithm.to_jwk(private_key.public_key(), as_dict=True)
        self.keys.append({**jwk, "kid": kid, "use": "sig"})


@pytest.fixture
def jwks() -> Iterator[Jwks]:
    state = Jwks(url="", keys=[])
    lock = threading.Lock()

    async def keys(request: Request) -> JSONResponse:
        with lock:
            state.fetches.append(time.monotonic())
            return JSONResponse({"keys": list(state.keys)})

    with serve(Starlette(routes=[Route("/jwks.json", keys)])) as base:
        state.url = f"{base}/jwks.json"
        yield state


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


class Site(ServedTutor):
    """A served TutorGPT app with shortcuts for sessions."""

    def session(self, body: dict[str, Any] | None = None, **headers: str) -> httpx.Response:
        return self.http.post("/session", json=body or {}, headers=headers)

    def chat(self, body: dict[str, Any] | None = None, **headers: str) -> Chat:
        response = self.session(body, **headers)
        assert response.status_code == 201, response.text
        created = response.json()
        return Chat(self.http, created["client_secret"], created["session_id"], created.get("student_key"))

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        return snapshot(self.db_path)


@pytest.fixture
def make_site(tmp_path: Path) -> Iterator[Callable[..., Site]]:
    """Serve TutorGPT over real HTTP; settings (and ``identify=``) as keywords."""
    with ExitStack() as stack:
        yield lambda **settings: Site(*start_served(tmp_path, stack, **settings))
