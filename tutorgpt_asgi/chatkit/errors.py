"""Protocol errors that are answered with a JSON error body before any stream starts.

The reference SDK turns a missing thread into an HTTP 500, and in streaming requests into a
broken connection after the headers. TutorGPT validates and loads everything first and raises
:class:`ProtocolError`, which the web layer renders in the contract's error shape.
"""

from __future__ import annotations

from tutorgpt_asgi.sessions.context import ErrorDetail


class ProtocolError(Exception):
    """A request the server refuses, with its HTTP status and one stable error code."""

    def __init__(
        self, status: int, error: str, code: str, message: str, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.details = [ErrorDetail(code, message, field)]


def invalid_request(code: str, message: str, field: str | None = None) -> ProtocolError:
    """A 400: the body is not a request TutorGPT serves."""
    return ProtocolError(400, "Invalid request", code, message, field)


def thread_not_found() -> ProtocolError:
    """The one answer for a missing thread and for another student's thread."""
    return ProtocolError(404, "Not found", "THREAD_NOT_FOUND", "Thread not found", "params.thread_id")


def item_not_found(field: str) -> ProtocolError:
    """An item id that is not in the thread."""
    return ProtocolError(404, "Not found", "ITEM_NOT_FOUND", "Item not found", field)
