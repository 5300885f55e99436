"""Who may see the admin page: ``TUTORGPT_ADMIN_TOKEN`` as a bearer token, or its login cookie.

The cookie never holds the token: it holds an expiry and an HMAC of that expiry keyed by the
token, so a leaked cookie stops working when it expires or the token changes, and the server
stores nothing. Every comparison is constant-time (``hmac.compare_digest``).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Final

from starlette.requests import HTTPConnection

from tutorgpt_asgi.web.auth import bearer_secret

COOKIE_NAME: Final = "tutorgpt_admin"
#: How long a login lasts.
COOKIE_MAX_AGE_S: Final = 12 * 3600
_CONTEXT: Final = b"tutorgpt-admin-cookie-v1|"


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def token_matches(candidate: str | None, token: str | None) -> bool:
    """Whether ``candidate`` is the admin token (hashes compared: equal length, constant time)."""
    if not token or not candidate:
        return False
    return hmac.compare_digest(_digest(candidate), _digest(token))


def cookie_value(token: str, now: float | None = None) -> str:
    """``<expiry>.<hmac>``: proves a login with ``token`` until the expiry (Unix seconds)."""
    expires = int((time.time() if now is None else now) + COOKIE_MAX_AGE_S)
    return f"{expires}.{_signature(token, expires)}"


def _signature(token: str, expires: int) -> str:
    return hmac.new(token.encode(), _CONTEXT + str(expires).encode(), hashlib.sha256).hexdigest()


def cookie_valid(value: str | None, token: str | None, now: float | None = None) -> bool:
    """Whether ``value`` is an unexpired login cookie for ``token``; any malformed value is not."""
    if not token or not value or len(value) > 100:
        return False
    expires_text, _, signature = value.partition(".")
    if not expires_text.isdigit() or int(expires_text) < (time.time() if now is None else now):
        return False
    return hmac.compare_digest(signature.encode(), _signature(token, int(expires_text)).encode())


def is_admin(connection: HTTPConnection, token: str | None) -> bool:
    """A bearer admin token or a valid login cookie."""
    if token_matches(bearer_secret(connection), token):
        return True
    return cookie_valid(connection.cookies.get(COOKIE_NAME), token)
