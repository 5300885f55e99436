"""``POST /`` of the sub-app (``POST /api/chatkit`` when mounted): the ChatKit protocol over HTTP.

Order of checks, cheapest and most telling first: the bearer secret (401), the page context
header (recorded; an invalid one is only logged, a chat never fails because of it), the body
(413/415), then the request itself (400/404, before any stream starts). Answers are JSON or
``text/event-stream`` with the headers that stop proxies from buffering the stream.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Final

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Send

from tutorgpt_asgi.chatkit import sse
from tutorgpt_asgi.chatkit.errors import ProtocolError
from tutorgpt_asgi.chatkit.server import StreamResult
from tutorgpt_asgi.ratelimit import RateLimitUnavailable
from tutorgpt_asgi.runtime import Runtime
from tutorgpt_asgi.sessions.context import ValidationFailed, parse_context_header
from tutorgpt_asgi.sessions.service import AuthenticatedSession
from tutorgpt_asgi.web.auth import authenticate, unauthorized
from tutorgpt_asgi.web.body import BodyRejected, read_json_body
from tutorgpt_asgi.web.client_ip import client_ip
from tutorgpt_asgi.web.errors import JSONResponse, error_response, request_id
from tutorgpt_asgi.web.locate import locate

logger = logging.getLogger(__name__)

#: A protocol request is a message of at most 20 000 characters plus a quote and JSON overhead.
MAX_BODY_BYTES: Final = 1024 * 1024
CONTEXT_HEADER: Final = "x-tutorgpt-context"


class EventStreamResponse(StreamingResponse):
    """A streaming response that always closes its frame generator, even when cancelled.

    Starlette cancels the sending task when the client disconnects; closing the generator
    explicitly runs its cleanup (saving the partial answer) now instead of at garbage collection.
    """

    async def stream_response(self, send: Send) -> None:
        frames = self.body_iterator
        try:
            await super().stream_response(send)
        finally:
            aclose = getattr(frames, "aclose", None)
            if aclose is not None:
                await aclose()


async def _record_location(
    request: Request, runtime: Runtime, session: AuthenticatedSession
) -> AuthenticatedSession:
    """Make the page named by ``X-TutorGPT-Context`` the session's current location."""
    header = request.headers.get(CONTEXT_HEADER)
    if not header:
        return session
    try:
        context = parse_context_header(header)
    except ValidationFailed as invalid:
        codes = ", ".join(sorted({detail.code for detail in invalid.details}))
        logger.warning(
            "Ignored an invalid %s header (request %s): %s", CONTEXT_HEADER, request_id(request), codes
        )
        return session
    return await runtime.sessions.update_location(session, await locate(runtime.book, context))


async def chatkit_endpoint(request: Request) -> Response:
    """Serve one ChatKit protocol request for the session named by the bearer secret."""
    runtime = request.app.state.runtime
    session = await authenticate(request, runtime.sessions)
    if session is None:
        return unauthorized(request)
    session = await _record_location(request, runtime, session)
    try:
        body = await read_json_body(request, MAX_BODY_BYTES, any_content_type=True)
        sender = partial(client_ip, request.scope, runtime.trusted_proxies)
        result = await runtime.chatkit.process(body, session, sender)
    except BodyRejected as rejected:
        return rejected.response(request)
    except ProtocolError as refused:
        headers = {"Retry-After": str(RateLimitUnavailable.retry_after)} if refused.status == 503 else None
        return error_response(request, refused.status, refused.error, refused.details, headers=headers)
    if isinstance(result, StreamResult):
        return EventStreamResponse(result.frames, media_type=sse.MEDIA_TYPE, headers=sse.HEADERS)
    return Response(result.body, media_type=JSONResponse.media_type)
