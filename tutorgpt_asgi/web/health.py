"""``GET /health``: a load balancer's check that the database and the limit storage answer."""

from __future__ import annotations

import logging
from typing import Literal

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from tutorgpt_asgi.runtime import Runtime
from tutorgpt_asgi.web.errors import JSONResponse

logger = logging.getLogger(__name__)

State = Literal["ok", "unavailable"]


class Health(msgspec.Struct, omit_defaults=True):
    """``/health``: overall status and each dependency's (the limit storage only when shared)."""

    status: Literal["ok", "degraded"]
    database: State
    rate_limit_storage: State | None = None


async def health(request: Request) -> Response:
    """200 ``{"status": "ok"}`` when every dependency answers; else ``degraded``, naming which.

    Without its database or its shared limit storage an instance cannot serve sessions, so it
    answers 503 and a load balancer sends readers elsewhere. When operators chose availability
    (``TUTORGPT_RATE_LIMIT_FAIL_OPEN=true``), a missing limit storage is reported but stays 200:
    the instance still serves, only without limits.

    The database check reads the schema version (``PRAGMA user_version``, the SQLite file's
    header; the migrations table on PostgreSQL): ``SELECT 1`` never touched the file, so a
    corrupt or unreadable database still looked healthy.
    """
    runtime: Runtime = request.app.state.runtime
    health = Health(status="ok", database="ok")
    fatal = False
    try:
        await runtime.db.schema_version()
    except Exception:
        logger.exception("Health check failed: the database does not answer")
        health.database, fatal = "unavailable", True
    if runtime.session_limiter.shared:
        health.rate_limit_storage = "ok"
        if not await runtime.session_limiter.reachable():
            logger.error("Health check: the rate limit storage (TUTORGPT_RATE_LIMIT_STORAGE) does not answer")
            health.rate_limit_storage = "unavailable"
            fatal = fatal or not runtime.settings.rate_limit_fail_open
    if "unavailable" in (health.database, health.rate_limit_storage):
        health.status = "degraded"
    return JSONResponse(health, status_code=503 if fatal else 200)
