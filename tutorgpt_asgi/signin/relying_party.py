"""The OpenID Connect relying party for one provider, built on authlib's Starlette client.

authlib does the protocol: discovery, the authorization URL with ``state``, ``nonce`` and a
PKCE (S256) challenge, the code exchange, and the ID token check (signature against the
provider's JWKS, refetched on an unknown key id; ``iss``, ``aud``, ``exp``, ``iat``, ``nonce``,
``azp``). Its session-based state helpers are not used: ``service.py`` keeps each attempt in
the database, so any worker can finish a sign-in another one started.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any

from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth
from joserfc.errors import JoseError

from tutorgpt_asgi.settings import OIDCProvider
from tutorgpt_asgi.signin.errors import SignInError, invalid_id_token, provider_unavailable
from tutorgpt_asgi.signin.store import LoginAttempt, VerifiedClaims

logger = logging.getLogger(__name__)


def _network_errors() -> tuple[type[Exception], ...]:
    """The HTTP errors authlib's client can raise: it uses ``httpx2`` when that is installed and
    ``httpx`` otherwise, so catch whichever of the two are present."""
    found = []
    for name in ("httpx2", "httpx"):
        try:
            found.append(importlib.import_module(name).HTTPError)
        except ImportError:
            continue
    return tuple(found)


NETWORK_ERRORS = _network_errors()
#: A provider that cannot be reached, or answers discovery with something that is not JSON.
DISCOVERY_ERRORS: tuple[type[Exception], ...] = (*NETWORK_ERRORS, ValueError)
#: Seconds to wait for the provider (discovery, token, keys) before telling the reader.
PROVIDER_TIMEOUT = 10.0
#: Clock skew allowed between us and the provider when checking ``exp`` and ``iat``.
CLOCK_LEEWAY = 60


@dataclass(frozen=True, slots=True)
class AuthorizationStart:
    """Where to send the reader, and the values the callback must check against."""

    url: str
    state: str
    nonce: str
    code_verifier: str


class RelyingParty:
    """Starts and finishes sign-ins with one provider."""

    def __init__(self, provider: OIDCProvider, redirect_uri: str) -> None:
        self.provider = provider
        self.redirect_uri = redirect_uri
        client_kwargs: dict[str, Any] = {
            "scope": provider.scopes,
            "code_challenge_method": "S256",
            "timeout": PROVIDER_TIMEOUT,
        }
        self._app: Any = OAuth().register(
            name=provider.id,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs=client_kwargs,
        )

    async def begin(self) -> AuthorizationStart:
        """The provider's authorization URL for a new attempt (discovery on first use)."""
        await self._metadata()
        started = await self._app.create_authorization_url(self.redirect_uri)
        return AuthorizationStart(started["url"], started["state"], started["nonce"], started["code_verifier"])

    async def finish(self, code: str, attempt: LoginAttempt) -> VerifiedClaims:
        """Exchange ``code`` (with the attempt's PKCE verifier) and verify the ID token."""
        await self._metadata()
        try:
            token = await self._app.fetch_access_token(
                redirect_uri=self.redirect_uri, code=code, code_verifier=attempt.code_verifier
            )
        except NETWORK_ERRORS as error:
            logger.warning("Sign-in: token endpoint of %s unreachable: %s", self.provider.issuer, error)
            raise provider_unavailable() from None
        except (OAuthError, ValueError) as error:
            logger.warning("Sign-in: %s refused the code: %s", self.provider.issuer, error)
            raise SignInError(
                "TOKEN_EXCHANGE_FAILED", "The sign-in provider did not accept this sign-in. Please try again.", 502
            ) from None
        return await self._verify(token, attempt.nonce)

    async def _verify(self, token: dict[str, Any], nonce: str) -> VerifiedClaims:
        """The ID token's claims once signature, issuer, audience, expiry and nonce all hold."""
        options = {
            "iss": {"essential": True, "value": self.provider.issuer},
            "aud": {"essential": True, "value": self.provider.client_id},
            "sub": {"essential": True},
        }
        try:
            claims = await self._app.parse_id_token(token, nonce=nonce, claims_options=options, leeway=CLOCK_LEEWAY)
        except NETWORK_ERRORS as error:
            logger.warning("Sign-in: keys of %s unreachable: %s", self.provider.issuer, error)
            raise provider_unavailable() from None
        except (JoseError, ValueError, TypeError, KeyError) as error:
            logger.warning("Sign-in: ID token from %s refused: %r", self.provider.issuer, error)
            raise invalid_id_token() from None
        if claims is None or not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise invalid_id_token()
        return VerifiedClaims(
            issuer=self.provider.issuer,
            subject=claims["sub"],
            email=_text(claims.get("email")) if claims.get("email_verified") is not False else None,
            name=_text(claims.get("name")),
        )

    async def _metadata(self) -> dict[str, Any]:
        """The discovery document, whose ``issuer`` must be exactly the configured one."""
        try:
            metadata: dict[str, Any] = await self._app.load_server_metadata()
        except DISCOVERY_ERRORS as error:
            logger.warning("Sign-in: discovery for %s failed: %s", self.provider.issuer, error)
            raise provider_unavailable() from None
        if metadata.get("issuer") != self.provider.issuer:
            self._app.server_metadata.clear()  # fetch again next time: the operator may fix it
            logger.error(
                "Sign-in: %s announces issuer %r; set TUTORGPT_OIDC_ISSUER to exactly that",
                self.provider.issuer, metadata.get("issuer"),
            )
            raise SignInError("PROVIDER_ERROR", "Sign-in is misconfigured on this book's server.", 502)
        return metadata


def _text(value: object, limit: int = 200) -> str | None:
    """A profile hint from a claim: a non-empty string, trimmed and bounded."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:limit]
