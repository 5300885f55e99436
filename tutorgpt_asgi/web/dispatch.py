"""Exact-path dispatch for the sub-app's routes, in front of Starlette's ``Router``.

Every TutorGPT route is a fixed path without parameters, so a dictionary keyed by path and
method finds the endpoint that the router would find by trying each route's pattern in turn.
The endpoint is called as Starlette's ``request_response`` calls it (a ``Request``, then the
response's own ``__call__``), minus its per-route exception wrapper: like Starlette's
``ExceptionMiddleware``, which it replaces, this innermost piece renders an ``HTTPException``
(the router's 404 and 405) inside any middleware a host added, so that middleware sees it.
Anything the table does not hold (a 404, a 405, a slash redirect, the lifespan, a route added
by a host) goes to the router unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.routing import Route, Router, get_route_path
from starlette.types import Receive, Scope, Send

Endpoint = Callable[[Request], Awaitable[Response]]
#: Renders an ``HTTPException`` (the router's 404 and 405) as a response.
HTTPErrorHandler = Callable[[HTTPConnection, HTTPException], Response]


class StaticRoutes:
    """The router's parameterless async routes by ``(path, method)``, the router for the rest."""

    def __init__(self, router: Router, on_http_error: HTTPErrorHandler) -> None:
        self.router = router
        self.on_http_error = on_http_error
        self.table: dict[tuple[str, str], tuple[Route, Endpoint]] = {}
        for route in router.routes:
            if isinstance(route, Route) and route.methods and not route.param_convertors \
                    and inspect.iscoroutinefunction(route.endpoint):
                for method in route.methods:  # with HEAD beside GET, as Route adds it
                    self.table.setdefault((route.path, method), (route, route.endpoint))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.table.get((get_route_path(scope), scope["method"])) if scope["type"] == "http" else None
        try:
            if found is None:
                await self.router(scope, receive, send)
                return
            route, endpoint = found
            scope["router"], scope["route"], scope["endpoint"], scope["path_params"] = self.router, route, endpoint, {}
            response = await endpoint(Request(scope, receive, send))
            await response(scope, receive, send)
        except HTTPException as error:
            # Raised before any response (routing); one raised after would fail on a second
            # response start in the server, as Starlette's own handler fails then.
            await self.on_http_error(HTTPConnection(scope), error)(scope, receive, send)
