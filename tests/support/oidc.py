"""A real OpenID Connect provider on loopback (``oidc-provider-mock``), a proxy in front of it
that can tamper with what it says, and a driver for the whole sign-in redirect flow over HTTP.

The mock is a real provider: discovery, an authorization form, a token endpoint issuing RS256
ID tokens, and a JWKS. Its issuer is the URL it is reached at (it reads the Host header), so
the proxy, which forwards the Host header as it got it, is a provider in its own right whose
answers it can alter on the way through.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import oidc_provider_mock
import werkzeug.serving
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support.servers import free_port, serve

#: The book's origin in these tests: the only one sign-in may hand a code to.
BOOK_ORIGIN = "http://127.0.0.1:3999"
#: A reader the mock knows, with the claims a real provider sends for ``email profile``.
ALICE = oidc_provider_mock.User(
    sub="alice-123", claims={"email": "alice@example.com", "email_verified": True, "name": "Alice Liddell"}
)


@contextmanager
def oidc_provider(*, token_max_age: timedelta = timedelta(hours=1)) -> Iterator[str]:
    """Serve the mock provider on a free loopback port (nonces required); yield its issuer."""
    app = oidc_provider_mock.app(
        require_nonce=True, access_token_max_age=token_max_age, user_claims=[ALICE]
    )
    server = werkzeug.serving.make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def tamper_id_token(token: str, how: str) -> str:
    """An ID token changed the way an attacker would: ``claims`` (sub swapped, signature kept),
    ``resign`` (same claims and key id, signed with another key) or ``none`` (``alg: none``)."""
    header_b64, payload_b64, signature = token.split(".")
    header, claims = json.loads(_unb64(header_b64)), json.loads(_unb64(payload_b64))
    if how == "claims":
        claims["sub"] = "mallory"
        return ".".join([header_b64, _b64(json.dumps(claims).encode()), signature])
    if how == "resign":
        return jwt.encode(header, claims, RSAKey.generate_key(2048))
    if how == "none":
        unsigned = {**header, "alg": "none"}
        return ".".join([_b64(json.dumps(unsigned).encode()), payload_b64, ""])
    raise ValueError(how)


@dataclass
class TamperingProxy:
    """Forwards to ``upstream``; ``mode`` says what to alter: an ID token (see
    :func:`tamper_id_token`) or ``nonce`` (the nonce of the authorization request)."""

    upstream: str
    mode: str | None = None

    async def forward(self, request: Request) -> Response:
        query = dict(parse_qsl(request.url.query, keep_blank_values=True))
        if self.mode == "nonce" and "nonce" in query:
            query["nonce"] = "a-nonce-this-browser-never-saw"
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length",)}
        async with httpx.AsyncClient(timeout=10) as client:
            upstream = await client.request(
                request.method, self.upstream + request.url.path + ("?" + urlencode(query) if query else ""),
                headers=headers, content=await request.body(),
            )
        body = upstream.content
        if request.url.path == "/oauth2/token" and self.mode in ("claims", "resign", "none"):
            token = upstream.json()
            token["id_token"] = tamper_id_token(token["id_token"], self.mode)
            body = json.dumps(token).encode()
        passed = {k: v for k, v in upstream.headers.items() if k.lower() in ("content-type", "location")}
        return Response(body, status_code=upstream.status_code, headers=passed)


@contextmanager
def tampering_proxy(upstream: str, mode: str) -> Iterator[str]:
    """Serve a :class:`TamperingProxy`; yield its URL, which is also its issuer."""
    proxy = TamperingProxy(upstream, mode)
    app = Starlette(routes=[Route("/{path:path}", proxy.forward, methods=["GET", "POST"])])
    with serve(app) as url:
        yield url


@dataclass
class SignInResult:
    """Where a sign-in ended: the last response, and the login code when one was handed over."""

    response: httpx.Response
    login_code: str | None
    origin: str | None


_DATA = re.compile(r'data-code="([^"]+)" data-origin="([^"]+)"')


def sign_in(
    browser: httpx.Client, backend: str, *, sub: str = ALICE.sub, action: str = "authorize",
    return_origin: str = BOOK_ORIGIN,
) -> SignInResult:
    """Drive the popup's whole journey as a browser does: ``/auth/login``, the provider's form
    (submitted as ``sub``, or denied), back to ``/auth/callback``."""
    form = browser.get(backend + "/auth/login", params={"return_origin": return_origin}, follow_redirects=True)
    if form.status_code != 200 or "/oauth2/authorize" not in str(form.url):
        return SignInResult(form, None, None)
    data: dict[str, Any] = {"action": "deny"} if action == "deny" else {"sub": sub}
    done = browser.post(str(form.url), data=data, follow_redirects=True)
    found = _DATA.search(done.text)
    return SignInResult(done, found.group(1) if found else None, found.group(2) if found else None)


def callback_url(response: httpx.Response) -> str:
    """The URL the provider sent the browser back to (the last hop of a followed redirect)."""
    return str(response.url)


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))
