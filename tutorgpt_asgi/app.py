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
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp

from tutorgpt_asgi.logs import configure_logging, flush_logs
from tutorgpt_asgi.runtime import Runtime
from tutorgpt_asgi.sessions.context import ErrorDetail
from tutorgpt_asgi.settings import Settings, SettingsError, load_settings
from tutorgpt_asgi.web.admin import admin_login, admin_logout, admin_page
from tutorgpt_asgi.web.dispatch import StaticRoutes
from tutorgpt_asgi.web.errors import error_response
from tutorgpt_asgi.web.health import health
from tutorgpt_asgi.web.identity import IdentifyCallback
from tutorgpt_asgi.web.middleware import WebLayer
from tutorgpt_asgi.web.openapi import openapi_schema
from tutorgpt_asgi.web.protocol import chatkit_endpoint
from tutorgpt_asgi.web.session import create_session, end_session, erase_student, list_sessions, refresh_session
from tutorgpt_asgi.web.signin import callback, login, providers

logger = logging.getLogger("tutorgpt_asgi")


class TutorGPTApp(Starlette):
    """The sub-app: Starlette's application, routes and lifespan, behind one web layer.

    Starlette wraps a router in ``ServerErrorMiddleware`` and ``ExceptionMiddleware`` around the
    user middleware; here :class:`~tutorgpt_asgi.web.middleware.WebLayer` does the first's work
    (the 500) along with ours, and :class:`~tutorgpt_asgi.web.dispatch.StaticRoutes`, innermost,
    the second's (the 404/405 bodies) while it finds the endpoint by exact path. Middleware a
    host adds with ``add_middleware`` still runs between the two, as in Starlette.
    """

    def __init__(self, *, runtime: Runtime, allowed_origins: tuple[str, ...], **options: Any) -> None:
        super().__init__(**options)
        self.runtime = runtime
        self.allowed_origins = allowed_origins

    def build_middleware_stack(self) -> ASGIApp:
        app: ASGIApp = StaticRoutes(self.router, _http_error)
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        return WebLayer(app, runtime=self.runtime, allowed_origins=self.allowed_origins)


def _allowed_methods(connection: HTTPConnection) -> str:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in connection.app.router.routes:
        match, _ = route.matches(connection.scope)
        if match is not Match.NONE and isinstance(route, Route) and route.methods:
            methods |= route.methods
    return ", ".join(sorted(methods))


def _http_error(connection: HTTPConnection, exc: HTTPException) -> Response:
    """404 and 405 in the contract's error shape instead of Starlette's plain text; any other
    ``HTTPException`` (none of our routes raises one) as Starlette's default handler renders it."""
    if exc.status_code == 405:
        detail = ErrorDetail("METHOD_NOT_ALLOWED", f"{connection.scope['method']} is not allowed here")
        allow = {"Allow": _allowed_methods(connection)}
        return error_response(connection, 405, "Method not allowed", [detail], headers=allow)
    if exc.status_code == 404:
        detail = ErrorDetail("NOT_FOUND", f"No route for {connection.url.path}")
        return error_response(connection, 404, "Not found", [detail], headers=exc.headers)
    if exc.status_code in {204, 304}:
        return Response(status_code=exc.status_code, headers=exc.headers)
    return PlainTextResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)


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
            flush_logs()

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
    app = TutorGPTApp(runtime=runtime, allowed_origins=settings.allowed_origins, routes=routes, lifespan=lifespan)
    app.state.runtime = runtime
    return app
