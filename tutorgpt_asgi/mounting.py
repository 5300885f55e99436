"""Mounting the sub-app so that ``POST /api/chatkit`` works without a trailing slash.

A plain Starlette/FastAPI ``Mount("/api/chatkit", ...)`` only matches ``/api/chatkit/...``; the
host router answers ``POST /api/chatkit`` with a 307 redirect to the slashed URL. The ChatKit
widget is configured with ``api.url = "/api/chatkit"``, and a redirect on every message costs a
round trip (and some proxies drop POST bodies on redirects), so :class:`TutorGPTMount` also
matches the bare path and hands it to the sub-app as ``/``.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Match, Mount, get_route_path
from starlette.types import ASGIApp, Scope


class TutorGPTMount(Mount):
    """A ``Mount`` that also serves its own path without the trailing slash, with no redirect."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and get_route_path(scope) == self.path:
            root_path = scope.get("root_path", "")
            return Match.FULL, {
                "path_params": dict(scope.get("path_params", {})),
                "app_root_path": scope.get("app_root_path", root_path),
                "root_path": root_path + self.path,
                "path": scope["path"] + "/",
                "endpoint": self.app,
            }
        return super().matches(scope)


def mount(host: Starlette, path: str, tutor: ASGIApp) -> None:
    """Mount ``tutor`` at ``path`` in a Starlette or FastAPI ``host`` (both have ``router``)."""
    host.router.routes.append(TutorGPTMount(path, app=tutor))
