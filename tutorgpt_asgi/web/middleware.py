"""The one ASGI layer in front of every route: request ids, the access log, the origin guard, CORS,
the contract's 500, and the lazy start.

These were seven stacked layers (Starlette's two error middlewares, ours for ids, the log, the
origin guard and the 500, Starlette's CORS, and the lazy start), each a coroutine frame and most a
wrapped ``send`` per request: a trivial route cost 22 µs of CPU in process against bare
Starlette's 10 µs. One layer (with :mod:`~tutorgpt_asgi.web.dispatch`) does the same work for
13 µs (issue 16; ``POST /session``'s event-loop thread went from about 145 to 125 µs).

Plain ASGI (not ``BaseHTTPMiddleware``), so streamed SSE answers pass through untouched and a
client disconnect reaches the endpoint. CORS itself stays Starlette's ``CORSMiddleware``, used as a
library: its ``preflight_response`` answers preflights and its ``send`` adds the headers, so a 500
carries them too and the browser can read its body and ``request_id``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tutorgpt_asgi.sessions.context import ErrorDetail
from tutorgpt_asgi.web.access_log import log_request
from tutorgpt_asgi.web.access_log import logger as access_logger
from tutorgpt_asgi.web.errors import REQUEST_ID_KEY, error_response, new_request_id

if TYPE_CHECKING:
    from tutorgpt_asgi.runtime import Runtime

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

class _Reply:
    """The response as far as it went: its status (500 if the app raised first), and whether
    its head was sent (then no error body can follow)."""

    __slots__ = ("started", "status")

    def __init__(self) -> None:
        self.started = False
        self.status = 500


class WebLayer:
    """Every request's id (the client's ``X-Request-ID`` if sane), echoed in the response;
    the origin guard; CORS; the contract's error bodies; one access log line; the lazy start.

    In order, as the seven layers ran: id, log, origin guard, CORS, then the 500 guard around
    the lazy start and the route, so a 500 still carries the CORS headers (and so do the 404
    and 405, which :class:`~tutorgpt_asgi.web.dispatch.StaticRoutes` renders inside).
    """

    def __init__(self, app: ASGIApp, *, runtime: Runtime, allowed_origins: tuple[str, ...]) -> None:
        self.app = app
        self.runtime = runtime
        allowed = frozenset(origin.rstrip("/") for origin in allowed_origins)
        # With no allowed origins (or ``*``) any origin is served with ``Access-Control-Allow-Origin:
        # *``: the widget authenticates with a bearer header, never cookies, so nothing is exposed.
        self.guarded: frozenset[str] | None = None if not allowed or "*" in allowed else allowed
        self.cors = CORSMiddleware(
            app,
            allow_origins=sorted(self.guarded) if self.guarded else ["*"],
            allow_methods=ALLOWED_METHODS,
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # the lifespan (and websockets, which no route serves)
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        supplied = headers.get("x-request-id")
        request_id = supplied if supplied and _SANE_ID.match(supplied) else new_request_id()
        scope[REQUEST_ID_KEY] = request_id
        logged = access_logger.isEnabledFor(logging.INFO)
        began = time.perf_counter() if logged else 0.0
        reply = _Reply()
        try:
            await self._serve(scope, receive, send, headers, reply, request_id)
        finally:
            if logged:
                log_request(scope, reply.status, began)

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, headers: Headers, reply: _Reply, request_id: str
    ) -> None:
        """The origin guard, a preflight, or the route with CORS headers and the error guard."""
        id_header = (b"x-request-id", request_id.encode("latin-1"))

        async def plain(message: Message) -> None:
            if message["type"] == "http.response.start":
                reply.started, reply.status = True, message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        origin = headers.get("origin")
        if origin is not None and self.guarded is not None and origin not in self.guarded \
                and origin != _own_origin(scope, headers):
            await _refuse_origin(scope, origin)(scope, receive, plain)
            return
        if origin is not None and scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self.cors.preflight_response(request_headers=headers)(scope, receive, plain)
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                await self.cors.send(message, plain, headers)
            else:
                await send(message)

        await self._guarded(scope, receive, with_cors, reply)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, reply: _Reply) -> None:
        """The route (the runtime started first if no lifespan did); any failure before the
        response began becomes the contract's 500 (404 and 405 are the dispatcher's).

        A 500 is logged with the request id so an operator can find it; request bodies (which
        may hold an email) and headers (which hold the bearer secret) are not logged. Once the
        response has started there is no body left to send, so the error goes on to the server,
        which aborts the connection.
        """
        try:
            if not self.runtime.started:
                await self._start_lazily()
            await self.app(scope, receive, send)
        except Exception as error:
            if reply.started:
                raise  # too late for a body: the server must abort the connection
            connection = HTTPConnection(scope)
            logger.error("Unhandled error (request_id=%s)", scope[REQUEST_ID_KEY], exc_info=error)
            detail = ErrorDetail("INTERNAL_ERROR", "Something went wrong on our side. Please try again.")
            await error_response(connection, 500, "Internal server error", [detail])(scope, receive, send)

    async def _start_lazily(self) -> None:
        """Start the runtime on the first request when no lifespan did (a host that forgot it)."""
        logger.warning(
            "TutorGPT started lazily: compose its lifespan in the host app for a clean "
            "shutdown (lifespan=tutor.router.lifespan_context)"
        )
        await self.runtime.start()


def _refuse_origin(scope: Scope, origin: str) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The contract's 403 for an origin outside ``allowed_origins``.

    Starlette's CORS middleware only withholds headers from an unknown origin (the request still
    runs); a tutor whose origins are configured should not create sessions for other sites. A
    same-origin request (the admin page's login form, which browsers send with ``Origin``) passes.
    """
    return error_response(
        HTTPConnection(scope),
        403,
        "Origin not allowed",
        [ErrorDetail("ORIGIN_NOT_ALLOWED", f"Requests from {origin[:200]} are not allowed")],
    )


def _own_origin(scope: Scope, headers: Headers) -> str:
    """The origin this request was sent to, as a browser would write it in ``Origin``."""
    return f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
