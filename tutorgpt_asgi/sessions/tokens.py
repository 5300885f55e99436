"""Signed identity tokens (JWTs from the site's login), verified with PyJWT.

Two ways to know the signing key: a shared secret (HS256, a site that signs its own tokens) or
a JWKS URL (RS256/ES256, Auth0, Clerk, Firebase, Supabase...). The algorithm list is fixed by
the configuration, never taken from the token, so ``alg: none`` and HS256-signed-with-the-public-
key tokens are refused. ``exp`` and ``sub`` are required; audience and issuer are checked when
configured (PyJWT also refuses a token that names an audience when none is configured).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

import anyio
import jwt

from tutorgpt_asgi.sessions.identity import TOKEN_ISSUER, IdentityRejected, VerifiedIdentity

logger = logging.getLogger(__name__)

HMAC_ALGORITHMS: Final = ("HS256",)
JWKS_ALGORITHMS: Final = ("RS256", "ES256")
#: A claim longer than this is not an id or a name: refused rather than stored.
MAX_CLAIM_CHARS: Final = 255


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    """How tokens are checked; exactly one of ``secret`` and ``jwks_url`` is set."""

    secret: str | None = None
    jwks_url: str | None = None
    audience: str | None = None
    issuer: str | None = None
    leeway: float = 30.0
    jwks_cache_seconds: float = 300.0
    jwks_refresh_cooldown: float = 30.0


def _invalid(message: str) -> IdentityRejected:
    return IdentityRejected("INVALID_IDENTITY_TOKEN", message)


class TokenVerifier:
    """Turns an identity token into a :class:`VerifiedIdentity`, or raises IdentityRejected."""

    def __init__(self, policy: TokenPolicy) -> None:
        self.policy = policy
        # PyJWKClient caches the key set for ``lifespan`` seconds and fetches it again when a
        # token names an unknown ``kid`` (key rotation), at most once per cooldown.
        self._jwks = (
            jwt.PyJWKClient(
                policy.jwks_url, cache_jwk_set=True, lifespan=policy.jwks_cache_seconds,
                timeout=10, cooldown_duration=policy.jwks_refresh_cooldown,
            )
            if policy.jwks_url
            else None
        )

    async def verify(self, token: str) -> VerifiedIdentity:
        """The token's identity; ``IdentityRejected`` for any token that does not verify."""
        key, algorithms = await self._key_for(token)
        try:
            claims = jwt.decode(
                token, key, algorithms=list(algorithms), audience=self.policy.audience,
                issuer=self.policy.issuer, leeway=self.policy.leeway,
                options={"require": ["exp", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise _invalid("The identity token has expired.") from None
        except jwt.InvalidAudienceError:
            raise _invalid("The identity token is for another audience.") from None
        except jwt.InvalidIssuerError:
            raise _invalid("The identity token comes from another issuer.") from None
        except jwt.InvalidTokenError:
            raise _invalid("The identity token is not valid.") from None
        return _identity(claims)

    async def _key_for(self, token: str) -> tuple[Any, tuple[str, ...]]:
        if self._jwks is None:
            return self.policy.secret, HMAC_ALGORITHMS
        jwks = self._jwks
        try:
            # PyJWKClient is synchronous (urllib): keep the event loop free while it fetches.
            signing_key = await anyio.to_thread.run_sync(jwks.get_signing_key_from_jwt, token)
        except jwt.PyJWKClientConnectionError as error:
            logger.warning("Could not fetch the identity JWKS: %s", error)
            raise IdentityRejected(
                "IDENTITY_KEYS_UNAVAILABLE", "The identity keys cannot be fetched right now. "
                "Please try again.", status=503,
            ) from None
        except (jwt.PyJWKClientError, jwt.DecodeError):
            raise _invalid("The identity token is signed with an unknown key.") from None
        return signing_key, JWKS_ALGORITHMS


def _claim(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_CLAIM_CHARS:
        raise _invalid(f"The identity token's {name} claim is not valid.")
    return value.strip() or None


def _identity(claims: dict[str, Any]) -> VerifiedIdentity:
    subject = _claim(claims, "sub")
    if subject is None:
        raise _invalid("The identity token has no subject.")
    email = _claim(claims, "email")
    return VerifiedIdentity(
        issuer=_claim(claims, "iss") or TOKEN_ISSUER,
        subject=subject,
        email=email.lower() if email else None,
        name=_claim(claims, "name"),
    )
