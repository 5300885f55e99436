"""The ceiling: a bare Starlette endpoint returning constant JSON, on the same uvicorn settings.

Every case is reported as a ratio to this app measured in the same run, so machine noise
cancels out and the ratio shows what our own code (validation, limiter, SQLite, agent) costs.
Run by the harness as ``python -m uvicorn bench.baseline:create_app --factory ...``.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

#: A response of about the size of a created session.
BODY = (
    b'{"client_secret":"sk_chatkit_bench_constant_secret_value_0000000000",'
    b'"session_id":"sess_bench_constant","expires_at":"2030-01-01T00:00:00Z"}'
)


async def constant(request: Request) -> Response:
    """Constant JSON without reading the request: the cheapest endpoint Starlette can serve."""
    return Response(BODY, media_type="application/json")


def create_app() -> Starlette:
    """The bare app (a factory, like ``tutorgpt_asgi.create_app``)."""
    return Starlette(routes=[Route("/", constant, methods=["GET", "POST"])])
