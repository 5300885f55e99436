"""``GET /auth/login`` and ``GET /auth/callback``: the popup's side of signing in; and
``GET /auth/providers``, which tells the panel whether to offer sign-in at all.

The popup routes answer a browser window, not a script, so every failure is a readable HTML page
with a stable code (``web/signin_pages.py``), never JSON or a 500. ``POST /session`` redeems the
login code the callback hands over (``web/session.py``).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import msgspec
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tutorgpt_asgi.runtime import Runtime
from tutorgpt_asgi.signin import SignInError
from tutorgpt_asgi.signin.store import ATTEMPT_TTL
from tutorgpt_asgi.web.client_ip import client_ip
from tutorgpt_asgi.web.errors import JSONResponse, request_id
from tutorgpt_asgi.web.signin_pages import error_page, handover_page

logger = logging.getLogger(__name__)

#: The cookie binding a sign-in to the browser that started it (its hash is in the attempt).
BROWSER_COOKIE = "tutorgpt_signin"


class SignInProvider(msgspec.Struct, frozen=True):
    """A provider readers can sign in with; ``id`` goes in ``/auth/login?provider=``."""

    id: str


class SignInProviders(msgspec.Struct, frozen=True):
    """``GET /auth/providers``: empty when sign-in is not configured."""

    providers: list[SignInProvider]


async def providers(request: Request) -> Response:
    """The configured providers, so a book that enables sign-in shows the button only when the
    backend can honour it (public, no secrets; cached briefly)."""
    runtime: Runtime = request.app.state.runtime
    listed = SignInProviders([SignInProvider(provider_id) for provider_id in runtime.signin.parties])
    return JSONResponse(listed, headers={"Cache-Control": "public, max-age=300"})


def _cookie_scope(runtime: Runtime) -> tuple[str, bool]:
    """The cookie's path (only the auth routes see it) and whether it must be ``Secure``."""
    public = urlsplit(runtime.settings.public_url or "")
    return public.path.rstrip("/") + "/auth", public.scheme == "https"


def _failed(request: Request, error: SignInError) -> Response:
    response = error_page(error.code, error.message, error.status, request_id(request))
    path, secure = _cookie_scope(request.app.state.runtime)
    response.delete_cookie(BROWSER_COOKIE, path=path, secure=secure, httponly=True, samesite="lax")
    return response


async def login(request: Request) -> Response:
    """Redirect to the provider; ``return_origin`` must be an allowed origin."""
    runtime: Runtime = request.app.state.runtime
    decision = await runtime.session_limiter.hit("signin:" + client_ip(request.scope, runtime.trusted_proxies))
    if not decision.allowed:
        message = f"Too many sign-in attempts. Try again in {decision.retry_after} seconds."
        return _failed(request, SignInError("RATE_LIMIT_EXCEEDED", message, 429))
    try:
        started = await runtime.signin.start(
            request.query_params.get("provider"), request.query_params.get("return_origin")
        )
    except SignInError as error:
        return _failed(request, error)
    response = RedirectResponse(started.url, status_code=302, headers={"Cache-Control": "no-store"})
    path, secure = _cookie_scope(runtime)
    response.set_cookie(
        BROWSER_COOKIE, started.browser_token, max_age=int(ATTEMPT_TTL.total_seconds()), path=path,
        secure=secure, httponly=True, samesite="lax",
    )
    return response


async def callback(request: Request) -> Response:
    """Check the provider's answer; hand the login code to the opener, or explain the failure."""
    runtime: Runtime = request.app.state.runtime
    try:
        completed = await runtime.signin.complete(request.query_params, request.cookies.get(BROWSER_COOKIE))
    except SignInError as error:
        return _failed(request, error)
    except Exception:  # a reader's window must never end on a traceback; the log has it
        logger.exception("Sign-in callback failed (request_id=%s)", request_id(request))
        return _failed(request, SignInError("PROVIDER_ERROR", "Sign-in failed on our side. Please try again.", 500))
    response = handover_page(completed.login_code, completed.return_origin)
    path, secure = _cookie_scope(runtime)
    response.delete_cookie(BROWSER_COOKIE, path=path, secure=secure, httponly=True, samesite="lax")
    return response
