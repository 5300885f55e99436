"""Pure ASGI middleware: request ids on every response, and origin checks with CORS.

Written as plain ASGI (not ``BaseHTTPMiddleware``) so streamed SSE answers pass through
untouched and a client disconnect reaches the endpoint.
"""

from __future__ import annotations

import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tutorgpt_asgi.sessions.context import ErrorDetail
from tutorgpt_asgi.web.errors import REQUEST_ID_HEADER, error_response, new_request_id

# A client's id is echoed only if it is short and plain, so it is safe in logs and headers.
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

#: Headers the ChatKit widget and the plugin send; the preflight allows exactly these.
ALLOWED_HEADERS = (
    "authorization, content-type, accept, accept-language, x-request-id, "
    "x-tutorgpt-context, x-tutorgpt-session"
)


class RequestIdMiddleware:
    """Gives every request an id (the client's, if sane) and echoes it in ``X-Request-ID``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        supplied = Headers(scope=scope).get(REQUEST_ID_HEADER.lower(), "")
        value = supplied if _SANE_ID.match(supplied) else new_request_id()
        scope["tutorgpt.request_id"] = value

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = value
            await send(message)

        await self.app(scope, receive, send_with_id)


class OriginMiddleware:
    """Refuses requests from origins outside ``allowed_origins`` (403) and answers preflights.

    With no allowed origins configured every origin is accepted (a same-origin mount needs no
    CORS at all); ``*`` allows any origin explicitly.
    """

    def __init__(self, app: ASGIApp, allowed_origins: tuple[str, ...]) -> None:
        self.app = app
        self.allowed = frozenset(origin.rstrip("/") for origin in allowed_origins)
        self.any_origin = not self.allowed or "*" in self.allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None or origin == _own_origin(scope, headers):  # same-origin (the admin form)
            await self.app(scope, receive, send)
            return
        if not self.any_origin and origin not in self.allowed:
            response = error_response(
                HTTPConnection(scope),
                403,
                "Origin not allowed",
                [ErrorDetail("ORIGIN_NOT_ALLOWED", f"Requests from {origin} are not allowed")],
            )
            await response(scope, receive, send)
            return
        cors = {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Expose-Headers": "X-Request-ID, Retry-After",
            "Vary": "Origin",
        }
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            preflight = dict(cors)
            preflight["Access-Control-Allow-Methods"] = "GET, POST, DELETE, OPTIONS"
            preflight["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            preflight["Access-Control-Max-Age"] = "600"
            await Response(status_code=204, headers=preflight)(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in cors.items():
                    response_headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _own_origin(scope: Scope, headers: Headers) -> str:
    """The origin this request was sent to, as a browser would write it in ``Origin``."""
    return f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
