"""The proofs of ``POST /session``, checked in a fixed order: the host's callback, a signed
token, a login code from a sign-in (``signin/``), then (opt-in only) a claimed email. A student
key is checked by the sessions service.

A proof that is offered and fails is refused (``IdentityRejected``): a bad token never falls
back to the key or the claimed email, so the answer never depends on whose email was claimed.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeAlias

import anyio
from starlette.requests import Request

from tutorgpt_asgi.sessions.context import SessionBody, normalise_email
from tutorgpt_asgi.sessions.identity import (
    CLAIMED_EMAIL_ISSUER,
    HOST_ISSUER,
    Identity,
    IdentityRejected,
    VerifiedIdentity,
)

if TYPE_CHECKING:
    from tutorgpt_asgi.runtime import Runtime

#: ``create_app(identify=fn)``: the host app's signed-in person for a request, or ``None``.
IdentifyCallback: TypeAlias = Callable[[Request], "Identity | None | Awaitable[Identity | None]"]


async def call_identify(identify: IdentifyCallback, request: Request) -> Identity | None:
    """Run the host's callback: awaited when async, in a worker thread when sync (it may read
    the host's own database and must not block the event loop)."""
    result: object
    if inspect.iscoroutinefunction(identify):
        result = identify(request)
    else:  # an async callable object's coroutine comes back from the thread and is awaited here
        result = await anyio.to_thread.run_sync(identify, request)
    if inspect.isawaitable(result):
        result = await result
    if result is None or (isinstance(result, Identity) and isinstance(result.subject, str) and result.subject):
        return result
    raise TypeError(f"identify() must return tutorgpt_asgi.Identity or None, not {result!r}")


async def _redeem(runtime: Runtime, login_code: str) -> VerifiedIdentity:
    """The identity a sign-in verified, for a live login code (used up here)."""
    claims = await runtime.signin.redeem(login_code)
    if claims is None:
        raise IdentityRejected(
            "INVALID_LOGIN_CODE", "This sign-in code is used, expired or unknown. Please sign in again."
        )
    return VerifiedIdentity(claims.issuer, claims.subject, claims.email, claims.name, signed_in=True)


async def prove_identity(request: Request, runtime: Runtime, body: SessionBody) -> VerifiedIdentity | None:
    """The session's verified identity, or ``None`` when the student key (or a new student)
    decides. Raises :class:`IdentityRejected` for a bad token or a missing required identity."""
    if runtime.identify is not None:
        host = await call_identify(runtime.identify, request)
        if host is not None:
            email = normalise_email(host.email) if host.email else None
            return VerifiedIdentity(HOST_ISSUER, host.subject, email, host.name, host.admin)
    if body.identity_token is not None:
        if runtime.tokens is None:
            raise IdentityRejected(
                "INVALID_IDENTITY_TOKEN", "This server is not configured to accept identity tokens."
            )
        return await runtime.tokens.verify(body.identity_token)
    if body.login_code is not None:
        return await _redeem(runtime, body.login_code)
    if runtime.settings.identity_required:
        raise IdentityRejected("IDENTITY_REQUIRED", "Sign in to the site to use the tutor.")
    if runtime.settings.trust_claimed_email and body.student_email is not None:
        return VerifiedIdentity(CLAIMED_EMAIL_ISSUER, body.student_email, body.student_email)
    return None
