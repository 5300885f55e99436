"""``create_app(identify=...)`` in a FastAPI host that already has users: the host's identity
selects the student and wins over anything in the body; sync and async callbacks both work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser, SimpleUser
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection, Request

from tests.identity.conftest import HS_SECRET, Site, snapshot, token
from tests.support.servers import serve
from tutorgpt_asgi import Identity, create_app

#: The host's own sessions: cookie value -> user name (a stand-in for its login system).
HOST_SESSIONS = {"cookie-alice": "alice", "cookie-bob": "bob"}


class CookieBackend(AuthenticationBackend):
    """The host's authentication, as a FastAPI app with users would have it."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        user = HOST_SESSIONS.get(conn.cookies.get("host_session", ""))
        return (AuthCredentials(["authenticated"]), SimpleUser(user)) if user else None


def identify_sync(request: Request) -> Identity | None:
    if not request.user.is_authenticated:
        return None
    name = request.user.display_name
    return Identity(subject=f"user-{name}", email=f"{name.upper()}@Example.com", name=name.title(),
                    admin=name == "bob")


async def identify_async(request: Request) -> Identity | None:
    return identify_sync(request)


class IdentifyObject:
    """A callable object with an async ``__call__`` (a host's auth service, say)."""

    async def __call__(self, request: Request) -> Identity | None:
        return identify_sync(request)


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Callable[..., tuple[httpx.Client, Path]]]:
    servers: list[Any] = []

    def start(identify: Any, **settings: Any) -> tuple[httpx.Client, Path]:
        db_path = tmp_path / f"main-{len(servers)}.db"
        tutor = create_app(identify=identify, database_url=f"sqlite:///{db_path}",
                           book_database_url=f"sqlite:///{tmp_path / 'book.db'}", **settings)
        app = FastAPI(lifespan=tutor.router.lifespan_context)
        app.add_middleware(AuthenticationMiddleware, backend=CookieBackend())
        app.mount("/api/chatkit", tutor)
        server = serve(app)
        servers.append(server)
        return httpx.Client(base_url=server.__enter__() + "/api/chatkit", timeout=10), db_path

    yield start
    for server in servers:
        server.__exit__(None, None, None)


@pytest.mark.parametrize("identify", [identify_sync, identify_async, IdentifyObject()],
                         ids=["sync", "async", "async-object"])
def test_a_fastapi_host_signs_students_in_with_identify(host: Any, identify: Any) -> None:
    http, db = host(identify, identity_jwt_secret=HS_SECRET)
    alice = {"Cookie": "host_session=cookie-alice"}
    first = http.post("/session", json={"student_name": "not Alice"}, headers=alice)
    assert first.status_code == 201 and "student_key" not in first.json()
    stranger = http.post("/session", json={"student_email": "alice@example.com"}).json()
    assert "student_key" in stranger  # no host sign-in: a new student with a key
    # The host's identity wins over a body token and a body key naming other students.
    other = token({"sub": "someone-else", "aud": None, "iss": None})
    again = http.post("/session", json={"identity_token": other, "student_key": stranger["student_key"]},
                      headers=alice)
    assert again.status_code == 201
    rows = snapshot(db)
    identities = {(issuer, subject) for issuer, subject, *_ in rows["student_identities"]}
    assert identities == {("host", "user-alice")}
    [alice_row] = [row for row in rows["students"] if row[2] == "Alice"]
    sessions_of_alice = [row for row in rows["sessions"] if row[1] == alice_row[0]]
    assert len(sessions_of_alice) == 2 and alice_row[1] == "alice@example.com"

    bob = http.post("/session", json={}, headers={"Cookie": "host_session=cookie-bob"}).json()
    assert [row[-1] for row in snapshot(db)["sessions"] if row[0] == bob["session_id"]] == [1]  # admin


@pytest.mark.parametrize("answer", [RuntimeError("the host's user store is down"), "alice", Identity(subject="")])
def test_a_failing_callback_is_a_500_with_the_error_body_and_stores_nothing(host: Any, answer: Any) -> None:
    def broken(request: Request) -> Any:
        if isinstance(answer, Exception):
            raise answer
        return answer

    http, db = host(broken)
    before = snapshot(db) if db.exists() else None
    response = http.post("/session", json={})
    assert response.status_code == 500
    assert response.json()["details"][0]["code"] == "SESSION_CREATION_FAILED"
    assert before is None or snapshot(db) == before
    assert all(rows == [] for rows in snapshot(db).values() if rows is not None)


def test_identity_required_refuses_readers_the_host_does_not_know(make_site: Callable[..., Site]) -> None:
    site = make_site(identify=lambda request: None, identity_required=True)
    response = site.session({"student_email": "alice@example.com"})
    assert response.status_code == 401
    assert response.json()["details"][0]["code"] == "IDENTITY_REQUIRED"
    assert all(rows == [] for rows in site.snapshot().values())


def test_identity_required_without_any_way_to_verify_is_refused_at_start_up() -> None:
    from tutorgpt_asgi.settings import SettingsError

    with pytest.raises(SettingsError, match="identity_required"):
        create_app(identity_required=True)
