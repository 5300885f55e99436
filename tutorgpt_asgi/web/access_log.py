"""One log line per request: id, route, status, duration, and the proven student's id.

The student id is a random pseudonymous id (never an email), known only once a bearer secret
was proven (:func:`~tutorgpt_asgi.web.auth.authenticate` records it in the scope). Nothing from
headers or bodies is logged: the path is the only client-supplied text, and it is escaped.
"""

from __future__ import annotations

import logging
import time
from typing import Final

from starlette.types import Scope

from tutorgpt_asgi.web.errors import REQUEST_ID_KEY

logger = logging.getLogger("tutorgpt_asgi.access")

#: Where :func:`~tutorgpt_asgi.web.auth.authenticate` leaves the proven student's id.
STUDENT_SCOPE_KEY: Final = "tutorgpt.student_id"
_MAX_PATH_CHARS: Final = 200


def _printable(path: str) -> str:
    """The path with control characters escaped and its length capped (no forged log lines)."""
    return repr(path[:_MAX_PATH_CHARS])[1:-1]


def log_request(scope: Scope, status: int, began: float) -> None:
    """Log ``METHOD /path status duration`` at INFO once the response is over (or failed).

    Called by :class:`~tutorgpt_asgi.web.middleware.WebLayer` only when INFO is enabled;
    ``status`` is 500 when the app raised before answering.
    """
    duration_ms = round((time.perf_counter() - began) * 1000, 1)
    route = f"{scope['method']} {_printable(scope['path'])}"
    student = scope.get(STUDENT_SCOPE_KEY) or "-"
    request_id = scope.get(REQUEST_ID_KEY, "-")
    # A load balancer's health checks would drown the rest: a healthy one is DEBUG.
    level = logging.DEBUG if status == 200 and scope["path"].endswith("/health") else logging.INFO
    logger.log(
        level,
        "%s %d %.1fms request_id=%s student_id=%s",
        route, status, duration_ms, request_id, student,
        extra={
            "request_id": request_id,
            "route": route,
            "status": status,
            "duration_ms": duration_ms,
            "student_id": student,
        },
    )
