"""``GET /admin``: the author's report as a page, for the holder of ``TUTORGPT_ADMIN_TOKEN``.

A host app's ``identify`` callback that returns ``Identity(..., admin=True)`` also opens the page.
Without either (bearer or login cookie) every admin route answers 401, never the figures: a
browser (``Accept: text/html``) gets the login form, any other client the contract's error body.
``POST /admin/login`` takes the token from that form and sets an HttpOnly, SameSite=Strict
cookie (see ``admin_auth.py``); ``POST /admin/logout`` clears it. Query parameters: ``since``
(``7d``, ``24h``, ``2w`` or a date) and ``chapter``.
"""

from __future__ import annotations

from html import escape
from typing import Final
from urllib.parse import parse_qs

from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tutorgpt_asgi.analytics.page import render_page
from tutorgpt_asgi.analytics.report import ReportQuery, build_report, parse_since
from tutorgpt_asgi.sessions.context import ErrorDetail
from tutorgpt_asgi.web.admin_auth import COOKIE_MAX_AGE_S, COOKIE_NAME, cookie_value, is_admin, token_matches
from tutorgpt_asgi.web.errors import error_response
from tutorgpt_asgi.web.identity import call_identify

#: The login form posts one short field.
MAX_FORM_BYTES: Final = 2048
#: The page is self-contained: no scripts, styles inline, nothing from elsewhere.
_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
_LOGIN_CSS: Final = (
    ":root{color-scheme:light dark;--bg:#fff;--fg:#1a1c20;--bad:#b3261e}"
    "@media (prefers-color-scheme: dark){:root{--bg:#15171c;--fg:#e9eaee;--bad:#ff8a80}}"
    "body{font:16px/1.5 system-ui,sans-serif;background:var(--bg);color:var(--fg);max-width:28rem;"
    "margin:3rem auto;padding:0 1rem}input,button{font:inherit;padding:.4rem}.error{color:var(--bad)}"
)


def _admin_path(request: Request) -> str:
    """``/admin`` under wherever the sub-app is mounted."""
    return request.scope.get("root_path", "").rstrip("/") + "/admin"


def _refused(request: Request, status: int, code: str, message: str) -> Response:
    """The login form for a browser; the contract's error body for an API client."""
    if "text/html" in request.headers.get("accept", "") and status == 401:
        return _login_page(request, status, message if code != "ADMIN_TOKEN_REQUIRED" else "")
    if "text/html" in request.headers.get("accept", ""):
        page = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad request</title>'
            f'<style>{_LOGIN_CSS}</style></head><body><main><p class="error" role="alert">{escape(message)}</p>'
            f'<p><a href="{escape(_admin_path(request))}">Back to the report</a></p></main></body></html>'
        )
        return HTMLResponse(page, status_code=status, headers=_HEADERS)
    error = {400: "Bad request", 401: "Unauthorized"}[status]
    headers = {"WWW-Authenticate": 'Bearer realm="tutorgpt-admin"'} if status == 401 else None
    field = "since" if code == "INVALID_SINCE" else None
    return error_response(request, status, error, [ErrorDetail(code, message, field)], headers=headers)


def _login_page(request: Request, status: int, message: str = "") -> Response:
    configured = bool(request.app.state.runtime.settings.admin_token)
    note = (
        f'<p class="error" role="alert">{escape(message)}</p>' if message
        else "" if configured else '<p class="error">No admin token is set (TUTORGPT_ADMIN_TOKEN).</p>'
    )
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>TutorGPT admin: sign in'
        f'</title><style>{_LOGIN_CSS}</style></head><body><main><h1>TutorGPT admin</h1>{note}'
        f'<form method="post" action="{escape(_admin_path(request))}/login">'
        '<label for="token">Admin token</label><br>'
        '<input id="token" name="token" type="password" autocomplete="current-password" required> '
        "<button type=submit>Sign in</button></form></main></body></html>"
    )
    headers = {**_HEADERS, "WWW-Authenticate": 'Bearer realm="tutorgpt-admin"'} if status == 401 else _HEADERS
    return HTMLResponse(body, status_code=status, headers=headers)


async def admin_page(request: Request) -> Response:
    """The report page for an admin; the login form (401) for anyone else."""
    runtime = request.app.state.runtime
    if not await _allowed(request):
        return _refused(request, 401, "ADMIN_TOKEN_REQUIRED", "Send the admin token as a bearer token or sign in")
    since_text = request.query_params.get("since", "7d")[:40]
    chapter = request.query_params.get("chapter") or None
    try:
        since = parse_since(since_text)
    except ValueError as error:
        return _refused(request, 400, "INVALID_SINCE", str(error))
    query = ReportQuery(
        since=since, chapter=chapter, site_url=runtime.settings.site_url,
        prices=runtime.settings.model_prices,
    )
    report = await build_report(runtime.db, query)
    return HTMLResponse(render_page(report, controls=_controls(request, since_text, chapter)), headers=_HEADERS)


async def _allowed(request: Request) -> bool:
    """The admin token (bearer or cookie), or the host's ``identify`` callback naming an admin."""
    runtime = request.app.state.runtime
    if is_admin(request, runtime.settings.admin_token):
        return True
    if runtime.identify is None:
        return False
    identity = await call_identify(runtime.identify, request)
    return identity is not None and identity.admin


def _controls(request: Request, since: str, chapter: str | None) -> str:
    path = escape(_admin_path(request))
    return (
        f'<div class="controls"><form method="get" action="{path}">'
        f'<label>Since <input name="since" value="{escape(since)}" '
        'size="10"></label> <label>Chapter <input name="chapter" '
        f'value="{escape(chapter or "")}" size="14"></label> <button type="submit">Show</button></form>'
        f'<form method="post" action="{path}/logout"><button type="submit">Sign out</button></form></div>'
    )


async def _form_token(request: Request) -> str | None:
    """The ``token`` field of a small urlencoded form (no multipart parser needed)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        return None
    body = b""
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                return None
    except ClientDisconnect:
        return None
    values = parse_qs(body.decode("utf-8", "replace"), max_num_fields=5).get("token")
    return values[0].strip() if values else None


async def admin_login(request: Request) -> Response:
    """Check the token from the form; on success set the cookie and go to the page."""
    token = request.app.state.runtime.settings.admin_token
    try:
        candidate = await _form_token(request)
    except ValueError:  # too many fields
        candidate = None
    if not token_matches(candidate, token):
        return _refused(request, 401, "INVALID_ADMIN_TOKEN", "That is not the admin token.")
    assert token is not None
    response = RedirectResponse(_admin_path(request), status_code=303, headers=_HEADERS)
    response.set_cookie(
        COOKIE_NAME, cookie_value(token), max_age=COOKIE_MAX_AGE_S, path=_admin_path(request),
        httponly=True, samesite="strict", secure=request.url.scheme == "https",
    )
    return response


async def admin_logout(request: Request) -> Response:
    """Forget the login cookie."""
    response = RedirectResponse(_admin_path(request), status_code=303, headers=_HEADERS)
    response.delete_cookie(COOKIE_NAME, path=_admin_path(request), httponly=True, samesite="strict")
    return response
