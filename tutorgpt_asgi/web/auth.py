"""Bearer authentication with the session's ``client_secret``, shared by every protected route."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

from tutorgpt_asgi.sessions.context import ErrorDetail
from tutorgpt_asgi.sessions.service import AuthenticatedSession, SessionService
from tutorgpt_asgi.web.access_log import STUDENT_SCOPE_KEY
from tutorgpt_asgi.web.errors import error_response

#: Real secrets are ~55 characters; anything far longer is refused before hashing.
MAX_SECRET_CHARS = 512


def bearer_secret(connection: HTTPConnection) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if well formed."""
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_SECRET_CHARS:
        return None
    return token


async def authenticate(
    connection: HTTPConnection, sessions: SessionService
) -> AuthenticatedSession | None:
    """The live session named by the bearer secret, or ``None``."""
    secret = bearer_secret(connection)
    session = None if secret is None else await sessions.authenticate(secret)
    if session is not None:  # for the access log: the pseudonymous id, never the secret
        connection.scope[STUDENT_SCOPE_KEY] = session.student_id
    return session


def unauthorized(connection: HTTPConnection) -> Response:
    """The same 401 for a missing, unknown, expired or revoked secret: nothing to probe."""
    return error_response(
        connection,
        401,
        "Unauthorized",
        [ErrorDetail("INVALID_CLIENT_SECRET", "The session is missing, expired or ended. "
                     "Create a new session.")],
        headers={"WWW-Authenticate": 'Bearer realm="tutorgpt"'},
    )
