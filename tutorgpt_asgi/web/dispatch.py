"""Exact-path dispatch for the sub-app's routes, in front of Starlette's ``Router``.

Every TutorGPT route is a fixed path without parameters, so a dictionary keyed by path and
method finds the endpoint that the router would find by trying each route's pattern in turn.
The endpoint is called as Starlette's ``request_response`` calls it (a ``Request``, then the
response's own ``__call__``), minus its per-route exception wrapper: the web layer renders the
router's ``HTTPException`` itself (see :class:`~tutorgpt_asgi.web.middleware.WebLayer`).
Anything the table does not hold (a 404, a 405, a slash redirect, the lifespan, a route added
by a host) goes to the router unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, Router, get_route_path
from starlette.types import Receive, Scope, Send

Endpoint = Callable[[Request], Awaitable[Response]]


class StaticRoutes:
    """The router's parameterless async routes by ``(path, method)``, the router for the rest."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.table: dict[tuple[str, str], tuple[Route, Endpoint]] = {}
        for route in router.routes:
            if isinstance(route, Route) and route.methods and not route.param_convertors \
                    and inspect.iscoroutinefunction(route.endpoint):
                for method in route.methods:  # with HEAD beside GET, as Route adds it
                    self.table.setdefault((route.path, method), (route, route.endpoint))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.table.get((get_route_path(scope), scope["method"])) if scope["type"] == "http" else None
        if found is None:
            await self.router(scope, receive, send)
            return
        route, endpoint = found
        scope["router"], scope["route"], scope["endpoint"], scope["path_params"] = self.router, route, endpoint, {}
        response = await endpoint(Request(scope, receive, send))
        await response(scope, receive, send)
