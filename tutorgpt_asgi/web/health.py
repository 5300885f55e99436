"""``GET /health``: a load balancer's check that the database answers."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response

from tutorgpt_asgi.runtime import Runtime
from tutorgpt_asgi.web.errors import JSONResponse

logger = logging.getLogger(__name__)


async def health(request: Request) -> Response:
    """200 ``{"status": "ok"}`` when the database file can be read, else 503 ``{"status": "error"}``.

    ``PRAGMA user_version`` reads the file's header; ``SELECT 1`` never touched the file, so a
    corrupt or unreadable database still looked healthy.
    """
    runtime: Runtime = request.app.state.runtime
    try:
        await runtime.db.fetchone("PRAGMA user_version")
    except Exception:
        logger.exception("Health check failed: the database does not answer")
        return JSONResponse({"status": "error", "database": "error"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
