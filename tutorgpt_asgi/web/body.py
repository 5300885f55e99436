"""Reading a JSON request body safely: the right content type, and a size cap enforced early.

The cap is checked against ``Content-Length`` before reading and again while streaming the
body, so an oversized (or lying) client never makes the server buffer more than the cap.
"""

from __future__ import annotations

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from tutorgpt_asgi.sessions.context import ErrorDetail
from tutorgpt_asgi.web.errors import error_response


class BodyRejected(Exception):
    """The body is refused: too large (413), not JSON (415), or cut off (400); see ``response()``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self, request: Request) -> Response:
        error = {413: "Payload too large", 415: "Unsupported media type"}.get(self.status, "Bad request")
        return error_response(request, self.status, error, [ErrorDetail(self.code, self.message)])


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def read_json_body(
    request: Request, max_bytes: int, *, allow_empty: bool = False, any_content_type: bool = False
) -> bytes:
    """The raw body of a JSON request, at most ``max_bytes`` long.

    Raises :class:`BodyRejected` (413 ``PAYLOAD_TOO_LARGE``, 415 ``UNSUPPORTED_MEDIA_TYPE``, or
    400 ``CLIENT_DISCONNECTED`` when the client hangs up mid-body).
    An empty body (zero bytes: whitespace alone is not JSON) without a content type is accepted
    when ``allow_empty`` is set. With ``any_content_type`` the declared type is not checked at
    all: ``fetch`` labels a string body ``text/plain``, and the ChatKit reference server reads
    the body as JSON whatever its label, so the protocol endpoint does too.
    """
    content_type = request.headers.get("content-type")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise BodyRejected(413, "PAYLOAD_TOO_LARGE", f"The body must be at most {max_bytes} bytes")
    json_declared = any_content_type or (content_type is not None and _is_json(content_type))
    if content_type is not None and not json_declared:
        raise BodyRejected(415, "UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise BodyRejected(413, "PAYLOAD_TOO_LARGE", f"The body must be at most {max_bytes} bytes")
            chunks.append(chunk)
    except ClientDisconnect:  # nobody will read the answer; do not log it as a server error
        raise BodyRejected(400, "CLIENT_DISCONNECTED", "The client went away mid-body") from None
    body = b"".join(chunks)
    if not json_declared and not (allow_empty and not body):
        raise BodyRejected(415, "UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json")
    return body
