"""The contract's error body, request ids, and timestamps for every error response.

Every error TutorGPT returns has the same shape, so clients need one parser:
``{"error": ..., "details": [{"code", "message", "field"?}], "timestamp": ..., "request_id": ...}``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import msgspec
from starlette.requests import HTTPConnection
from starlette.responses import Response

from tutorgpt_asgi.clock import isoformat_z, utc_now
from tutorgpt_asgi.sessions.context import ErrorDetail

REQUEST_ID_HEADER = "X-Request-ID"


def new_request_id() -> str:
    """A fresh id for a request whose client sent none (or an unusable one)."""
    return "req_" + secrets.token_hex(12)


def request_id(connection: HTTPConnection) -> str:
    """The id of this request, as set by :class:`~tutorgpt_asgi.web.middleware.RequestIdMiddleware`."""
    value = connection.scope.get("tutorgpt.request_id")
    return value if isinstance(value, str) else new_request_id()


class JSONResponse(Response):
    """A JSON response encoded with msgspec (about 20× faster than the stdlib encoder)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return msgspec.json.encode(content)


def error_response(
    connection: HTTPConnection,
    status: int,
    error: str,
    details: list[ErrorDetail],
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Render the contract's error body with this request's id and the current time."""
    body: dict[str, Any] = {"error": error, "details": details}
    body.update(extra)
    body["timestamp"] = isoformat_z(utc_now())
    body["request_id"] = request_id(connection)
    # Set here too: a 500 is rendered outside the request-id middleware.
    headers = {**(headers or {}), REQUEST_ID_HEADER: body["request_id"]}
    return JSONResponse(body, status_code=status, headers=headers)
