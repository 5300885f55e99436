"""Pure ASGI middleware: request ids, the origin guard, CORS, and the last-resort 500.

Written as plain ASGI (not ``BaseHTTPMiddleware``) so streamed SSE answers pass through
untouched and a client disconnect reaches the endpoint. CORS itself is Starlette's
``CORSMiddleware``; :func:`middleware_stack` puts :class:`InternalErrorMiddleware` *inside* it, so
a 500 carries the CORS headers and the browser can read its body and ``request_id`` (Starlette's
own ``ServerErrorMiddleware`` sits outside every user middleware and would send it bare).
"""

from __future__ import annotations

import logging
import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tutorgpt_asgi.sessions.context import ErrorDetail
from tutorgpt_asgi.web.access_log import AccessLogMiddleware
from tutorgpt_asgi.web.errors import REQUEST_ID_HEADER, error_response, new_request_id, request_id

logger = logging.getLogger("tutorgpt_asgi.web")

# A client's id is echoed only if it is short and plain, so it is safe in logs and headers.
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

#: Headers the ChatKit widget and the plugin send; the preflight allows exactly these.
ALLOWED_HEADERS = (
    "authorization", "content-type", "accept", "accept-language", "x-request-id",
    "x-tutorgpt-context", "x-tutorgpt-session",
)
ALLOWED_METHODS = ("GET", "POST", "DELETE", "OPTIONS")
EXPOSED_HEADERS = ("X-Request-ID", "Retry-After")


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


class OriginGuardMiddleware:
    """Refuses requests from origins outside ``allowed_origins`` with the contract's 403.

    Starlette's CORS middleware only withholds headers from an unknown origin (the request still
    runs); a tutor whose origins are configured should not create sessions for other sites. A
    same-origin request (the admin page's login form, which browsers send with ``Origin``) passes.
    """

    def __init__(self, app: ASGIApp, allowed_origins: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None or origin in self.allowed or origin == _own_origin(scope, headers):
            await self.app(scope, receive, send)
            return
        response = error_response(
            HTTPConnection(scope),
            403,
            "Origin not allowed",
            [ErrorDetail("ORIGIN_NOT_ALLOWED", f"Requests from {origin[:200]} are not allowed")],
        )
        await response(scope, receive, send)


class InternalErrorMiddleware:
    """Any uncaught failure becomes the contract's 500 (never a traceback on the wire).

    Logged with the request id so an operator can find it; request bodies (which may hold an
    email) and headers (which hold the bearer secret) are not logged. If the response had already
    started there is no body left to send, so the error goes on to the server, which aborts it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            if started:
                raise  # too late for a body: the server must abort the connection
            connection = HTTPConnection(scope)
            logger.error("Unhandled error (request_id=%s)", request_id(connection), exc_info=error)
            detail = ErrorDetail("INTERNAL_ERROR", "Something went wrong on our side. Please try again.")
            response = error_response(connection, 500, "Internal server error", [detail])
            await response(scope, receive, send)


def middleware_stack(allowed_origins: tuple[str, ...]) -> list[Middleware]:
    """Outermost first: ids, the access log, the origin guard, CORS, then the 500 guard.

    With no allowed origins (or ``*``) any origin is served with ``Access-Control-Allow-Origin:
    *``: the widget authenticates with a bearer header, never cookies, so nothing is exposed.
    """
    allowed = frozenset(origin.rstrip("/") for origin in allowed_origins)
    any_origin = not allowed or "*" in allowed
    stack = [Middleware(RequestIdMiddleware), Middleware(AccessLogMiddleware)]
    if not any_origin:
        stack.append(Middleware(OriginGuardMiddleware, allowed_origins=allowed))
    stack += [
        Middleware(
            CORSMiddleware,
            allow_origins=["*"] if any_origin else sorted(allowed),
            allow_methods=ALLOWED_METHODS,
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            max_age=600,
        ),
        Middleware(InternalErrorMiddleware),
    ]
    return stack


def _own_origin(scope: Scope, headers: Headers) -> str:
    """The origin this request was sent to, as a browser would write it in ``Origin``."""
    return f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
