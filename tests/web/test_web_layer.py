"""The one web layer in front of the routes (issue 16): what the seven layers it replaced did,
it still does, for every kind of response."""

from __future__ import annotations

from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.support.servers import serve
from tests.web.conftest import Tutor
from tutorgpt_asgi import create_app, mount

ORIGIN = "https://book.example.com"


def test_every_kind_of_response_carries_one_request_id(make_tutor) -> None:
    """Error bodies name their id and the layer adds the header: it must not appear twice."""
    tutor: Tutor = make_tutor(allowed_origins=[ORIGIN])
    responses = [
        tutor.create_session({}, Origin=ORIGIN),  # 201
        tutor.create_session({"learning_level": "guru"}),  # 400
        tutor.http.get("/no-such-route"),  # 404
        tutor.http.put("/session"),  # 405
        tutor.create_session({}, Origin="https://evil.example"),  # 403
        tutor.http.options("/session", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}),
    ]
    assert [r.status_code for r in responses] == [201, 400, 404, 405, 403, 200]
    for response in responses:
        [request_id] = response.headers.get_list("x-request-id")
        if response.status_code >= 400:
            assert response.json()["request_id"] == request_id


def test_a_client_request_id_is_echoed_on_errors_too(tutor: Tutor) -> None:
    response = tutor.http.get("/no-such-route", headers={"X-Request-ID": "req-from-client"})
    assert response.headers.get_list("x-request-id") == ["req-from-client"]
    assert response.json()["request_id"] == "req-from-client"


def test_a_404_is_the_contract_body_with_cors_headers(make_tutor) -> None:
    tutor: Tutor = make_tutor(allowed_origins=[ORIGIN])
    response = tutor.http.get("/no-such-route", headers={"Origin": ORIGIN})
    assert response.status_code == 404
    assert response.json()["details"][0]["code"] == "NOT_FOUND"
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "origin" in response.headers["vary"].lower()


def test_head_is_answered_wherever_get_is(tutor: Tutor) -> None:
    response = tutor.http.head("/health")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


class _Stamp:
    """A host's own middleware on the sub-app: marks every response it saw."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (b"x-host-stamp", b"1")]
            await send(message)

        await self.app(scope, receive, stamped)


def test_middleware_a_host_adds_to_the_sub_app_still_runs(tmp_path: Path) -> None:
    """The web layer replaces Starlette's middleware stack; a host's additions stay in it."""
    tutor = create_app(database_url=f"sqlite:///{tmp_path / 'main.db'}",
                       book_database_url=f"sqlite:///{tmp_path / 'book.db'}")
    tutor.add_middleware(_Stamp)
    host = Starlette(lifespan=tutor.router.lifespan_context)
    mount(host, "/api/chatkit", tutor)
    with serve(host) as base:
        created = httpx.post(f"{base}/api/chatkit/session", json={})
        missing = httpx.get(f"{base}/api/chatkit/nothing-here")
    assert created.status_code == 201 and created.headers["x-host-stamp"] == "1"
    assert missing.status_code == 404 and missing.headers["x-host-stamp"] == "1"
