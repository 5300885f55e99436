"""``create_app()``: the TutorGPT Starlette sub-app, for mounting at ``/api/chatkit`` or standalone.

Mounting (Starlette does not run a mounted app's lifespan, so the host composes it)::

    tutor = create_app()
    app = Starlette(routes=[Mount("/api/chatkit", app=tutor)], lifespan=tutor.router.lifespan_context)

A host that forgets the lifespan still works: the first request starts the runtime lazily.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from tutorgpt_asgi.logs import configure_logging
from tutorgpt_asgi.runtime import Runtime
from tutorgpt_asgi.sessions.context import ErrorDetail
from tutorgpt_asgi.settings import Settings, SettingsError, load_settings
from tutorgpt_asgi.web.admin import admin_login, admin_logout, admin_page
from tutorgpt_asgi.web.errors import error_response
from tutorgpt_asgi.web.health import health
from tutorgpt_asgi.web.identity import IdentifyCallback
from tutorgpt_asgi.web.middleware import middleware_stack
from tutorgpt_asgi.web.openapi import openapi_schema
from tutorgpt_asgi.web.protocol import chatkit_endpoint
from tutorgpt_asgi.web.session import create_session, end_session, erase_student, list_sessions, refresh_session
from tutorgpt_asgi.web.signin import callback, login, providers

logger = logging.getLogger("tutorgpt_asgi")


class LazyStartMiddleware:
    """Starts the runtime on the first request when no lifespan did (a host that forgot it)."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.runtime.started:
            logger.warning(
                "TutorGPT started lazily: compose its lifespan in the host app for a clean "
                "shutdown (lifespan=tutor.router.lifespan_context)"
            )
            await self.runtime.start()
        await self.app(scope, receive, send)


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE and isinstance(route, Route) and route.methods:
            methods |= route.methods
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> Response:
    """404 and 405 in the contract's error shape instead of Starlette's plain text."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        detail = ErrorDetail("METHOD_NOT_ALLOWED", f"{request.method} is not allowed here")
        allow = {"Allow": _allowed_methods(request)}
        return error_response(request, 405, "Method not allowed", [detail], headers=allow)
    detail = ErrorDetail("NOT_FOUND", f"No route for {request.url.path}")
    return error_response(request, exc.status_code, "Not found", [detail], headers=exc.headers)


def _check_identity_modes(settings: Settings, identify: IdentifyCallback | None) -> None:
    """Refuse a configuration that can never prove anyone, and warn about the email opt-in."""
    if settings.identity_required and identify is None and settings.identity_jwt_secret is None \
            and settings.identity_jwks_url is None:
        raise SettingsError(
            "Invalid setting identity_required (TUTORGPT_IDENTITY_REQUIRED): nothing can verify an "
            "identity; pass create_app(identify=...) or set TUTORGPT_IDENTITY_JWT_SECRET or "
            "TUTORGPT_IDENTITY_JWKS_URL"
        )
    if settings.trust_claimed_email:
        logger.warning(
            "TUTORGPT_TRUST_CLAIMED_EMAIL is on: anyone who can reach POST /session and knows a "
            "student's email gets that student's history. Use it only behind something that "
            "authenticates every request (see the README's threat model)."
        )


def create_app(*, identify: IdentifyCallback | None = None, **overrides: Any) -> Starlette:
    """Build the sub-app; keyword arguments override ``TUTORGPT_*`` environment settings.

    ``identify(request) -> Identity | None`` (sync or async) is the host app's signed-in person;
    when it returns one, that identity selects the student of a new session.

    Raises :class:`~tutorgpt_asgi.settings.SettingsError` naming an invalid setting.
    """
    settings = load_settings(overrides)
    configure_logging(settings.log_level, settings.log_format)
    _check_identity_modes(settings, identify)
    runtime = Runtime(settings, identify)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.aclose()

    routes = [
        Route("/", chatkit_endpoint, methods=["POST"]),
        Route("/session", create_session, methods=["POST"]),
        Route("/session", end_session, methods=["DELETE"]),
        Route("/session/refresh", refresh_session, methods=["POST"]),
        Route("/sessions", list_sessions, methods=["GET"]),
        Route("/auth/login", login, methods=["GET"]),
        Route("/auth/callback", callback, methods=["GET"]),
        Route("/auth/providers", providers, methods=["GET"]),
        Route("/student", erase_student, methods=["DELETE"]),
        Route("/health", health, methods=["GET"]),
        Route("/openapi.json", openapi_schema, methods=["GET"]),
        Route("/admin", admin_page, methods=["GET"]),
        Route("/admin/login", admin_login, methods=["POST"]),
        Route("/admin/logout", admin_logout, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            *middleware_stack(settings.allowed_origins),
            Middleware(LazyStartMiddleware, runtime=runtime),
        ],
        exception_handlers={404: _http_error, 405: _http_error},
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    return app
