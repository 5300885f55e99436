"""The contract's session endpoints: create, refresh, end, and list a student's sessions.

``POST /session`` follows the contract's backend flow: validate every field (all problems at
once), check the per-IP rate limit, find the student by its proof (``web/identity.py``, then the
student key) or create one, store the session with its context, and return the client secret
(201), plus the new student's key. Secrets, keys and tokens are never logged.
"""

from __future__ import annotations

import logging

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from tutorgpt_asgi.clock import isoformat_z
from tutorgpt_asgi.runtime import Runtime
from tutorgpt_asgi.sessions.context import ErrorDetail, ValidationFailed, parse_session_body
from tutorgpt_asgi.sessions.identity import IdentityRejected, VerifiedIdentity
from tutorgpt_asgi.sessions.service import CreatedSession, SessionSummary
from tutorgpt_asgi.web.auth import authenticate, bearer_secret, unauthorized
from tutorgpt_asgi.web.body import BodyRejected, read_json_body
from tutorgpt_asgi.web.client_ip import client_ip
from tutorgpt_asgi.web.errors import JSONResponse, error_response, request_id
from tutorgpt_asgi.web.identity import prove_identity
from tutorgpt_asgi.web.locate import locate

logger = logging.getLogger(__name__)

#: The contract's limit for a session request body.
MAX_SESSION_BODY = 64 * 1024


class SignedInAs(msgspec.Struct, frozen=True):
    """The verified profile a login code brought, for the panel's "Signed in as …"."""

    name: str | None
    email: str | None


class SessionCreated(msgspec.Struct, omit_defaults=True):
    """The 201 body: the bearer secret for the protocol, our session id, and its expiry; for a
    new student without a verified identity also the student key, shown only this once. A
    sign-in (``login_code``) also gets a key, for later sessions on that browser, and who it
    signed in as."""

    client_secret: str
    session_id: str
    expires_at: str
    student_key: str | None = None
    signed_in_as: SignedInAs | None = None


class SessionHistory(msgspec.Struct):
    """``GET /sessions``: the bearer's student's sessions, newest first (never secrets)."""

    data: list[SessionSummary]
    student_id: str
    current_session_id: str


def _created(session: CreatedSession, status: int, identity: VerifiedIdentity | None = None) -> JSONResponse:
    signed_in = SignedInAs(identity.name, identity.email) if identity is not None and identity.signed_in else None
    body = SessionCreated(
        session.client_secret, session.session_id, isoformat_z(session.expires_at), session.student_key, signed_in
    )
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


async def create_session(request: Request) -> Response:
    """``POST /session``: 201 with the credentials, or the contract's 400/413/415/429/500, or
    401/503 when a proof is refused."""
    runtime: Runtime = request.app.state.runtime
    try:
        body = await read_json_body(request, MAX_SESSION_BODY, allow_empty=True)
    except BodyRejected as error:
        return error.response(request)
    try:
        session_body = parse_session_body(body)
    except ValidationFailed as failure:
        return error_response(request, 400, "Invalid request", failure.details)

    decision = await runtime.session_limiter.hit(client_ip(request.scope, runtime.trusted_proxies))
    if not decision.allowed:
        return error_response(
            request,
            429,
            "Rate limit exceeded",
            [ErrorDetail("RATE_LIMIT_EXCEEDED", "Too many session creation attempts. Try again "
                         f"in {decision.retry_after} seconds.")],
            headers={"Retry-After": str(decision.retry_after)},
            retry_after=decision.retry_after,
        )
    try:
        identity = await prove_identity(request, runtime, session_body)
        session_request = session_body.session_request()
        located = await locate(runtime.book, session_request.context)
        session_request = msgspec.structs.replace(session_request, context=located)
        created = await runtime.sessions.create(session_request, identity)
    except IdentityRejected as rejected:
        return _refused(request, rejected)
    except Exception:
        # No secret and no email in the log: only the request id ties it to the client.
        logger.exception("Session creation failed (request_id=%s)", request_id(request))
        return error_response(
            request,
            500,
            "Failed to create session",
            [ErrorDetail("SESSION_CREATION_FAILED", "Could not create ChatKit session. "
                         "Please try again.")],
        )
    return _created(created, 201, identity)


def _refused(request: Request, rejected: IdentityRejected) -> Response:
    field = {
        "INVALID_IDENTITY_TOKEN": "identity_token", "INVALID_STUDENT_KEY": "student_key",
        "INVALID_LOGIN_CODE": "login_code",
    }
    title = "Identity unavailable" if rejected.status == 503 else "Unauthorized"
    detail = ErrorDetail(rejected.code, rejected.message, field.get(rejected.code))
    return error_response(request, rejected.status, title, [detail])


async def refresh_session(request: Request) -> Response:
    """``POST /session/refresh``: a new secret for a valid or just-expired one (200)."""
    runtime: Runtime = request.app.state.runtime
    secret = bearer_secret(request)
    refreshed = None if secret is None else await runtime.sessions.refresh(secret)
    return unauthorized(request) if refreshed is None else _created(refreshed, 200)


async def end_session(request: Request) -> Response:
    """``DELETE /session``: the bearer ends its own session; its secret stops working (204)."""
    runtime: Runtime = request.app.state.runtime
    session = await authenticate(request, runtime.sessions)
    if session is None:
        return unauthorized(request)
    await runtime.sessions.revoke(session)
    return Response(status_code=204)


async def list_sessions(request: Request) -> Response:
    """``GET /sessions``: the bearer's student's past sessions: ids, times, pages."""
    runtime: Runtime = request.app.state.runtime
    session = await authenticate(request, runtime.sessions)
    if session is None:
        return unauthorized(request)
    history = await runtime.sessions.history(session.student_id)
    return JSONResponse(SessionHistory(history, session.student_id, session.session_id))


async def erase_student(request: Request) -> Response:
    """``DELETE /student``: the bearer's student and everything stored about them are erased
    (204); the student's secrets and key stop working."""
    runtime: Runtime = request.app.state.runtime
    session = await authenticate(request, runtime.sessions)
    if session is None:
        return unauthorized(request)
    await runtime.sessions.erase(session)
    logger.info("Erased a student (request_id=%s)", request_id(request))
    return Response(status_code=204)
