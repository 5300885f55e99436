"""Sign-in from start to login code: which provider, which origin, and the callback's checks.

Order of checks in the callback, each failing with its own code: a provider error is reported
as such (nothing is issued on an error, so it needs no state, and providers leave the state out
of some errors); then the ``state`` must name a live attempt (used once) started by this browser
(the cookie's hash matches); then the code must exchange for an ID token that verifies. Only
then is a login code issued, for the origin the attempt named.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from tutorgpt_asgi.clock import Clock, utc_now
from tutorgpt_asgi.settings import Settings
from tutorgpt_asgi.signin.errors import SignInError, invalid_state, not_configured
from tutorgpt_asgi.signin.relying_party import RelyingParty
from tutorgpt_asgi.signin.store import LoginAttempt, LoginStore, VerifiedClaims, digest
from tutorgpt_asgi.store.database import Database

#: Where the provider sends the reader back, below ``TUTORGPT_PUBLIC_URL``.
CALLBACK_PATH = "/auth/callback"


@dataclass(frozen=True, slots=True)
class StartedLogin:
    """The provider URL to redirect to, and the token the browser keeps in a cookie."""

    url: str
    browser_token: str


@dataclass(frozen=True, slots=True)
class CompletedLogin:
    """A verified sign-in: the login code and the only origin it may be posted to."""

    login_code: str
    return_origin: str


class SignInService:
    """The configured providers, the allowed origins and the login store, together."""

    def __init__(self, db: Database, settings: Settings, clock: Clock = utc_now) -> None:
        self.store = LoginStore(db, clock)
        self.allowed_origins = frozenset(origin.rstrip("/") for origin in settings.allowed_origins)
        redirect_uri = (settings.public_url or "").rstrip("/") + CALLBACK_PATH
        self.parties = {provider.id: RelyingParty(provider, redirect_uri) for provider in settings.oidc_providers}

    @property
    def enabled(self) -> bool:
        return bool(self.parties)

    def _party(self, provider: str | None) -> RelyingParty:
        if not self.parties:
            raise not_configured()
        if provider is None and len(self.parties) == 1:
            return next(iter(self.parties.values()))
        party = self.parties.get(provider or "")
        if party is None:
            raise SignInError("UNKNOWN_PROVIDER", "This book offers no sign-in provider by that name.", 404)
        return party

    async def start(self, provider: str | None, return_origin: str | None) -> StartedLogin:
        """Check the origin, create the attempt and return where to send the reader."""
        party = self._party(provider)
        origin = (return_origin or "").rstrip("/")
        if origin not in self.allowed_origins:
            raise SignInError(
                "ORIGIN_NOT_ALLOWED", "Sign-in was opened from a site this book's server does not serve.", 400
            )
        begun = await party.begin()
        browser_token = secrets.token_urlsafe(32)
        attempt = LoginAttempt(party.provider.id, origin, begun.nonce, begun.code_verifier, digest(browser_token))
        await self.store.save_attempt(begun.state, attempt)
        return StartedLogin(begun.url, browser_token)

    async def complete(self, query: Mapping[str, str], browser_token: str | None) -> CompletedLogin:
        """Check the provider's answer in the order the module docstring gives."""
        if not self.parties:
            raise not_configured()
        state = query.get("state")
        attempt = await self.store.take_attempt(state) if state else None
        error = query.get("error")
        if error:  # nothing is issued on an error, so say why even when the provider sent no state
            raise _provider_error(error)
        if attempt is None or browser_token is None or not secrets.compare_digest(
            attempt.browser_hash, digest(browser_token)
        ):
            raise invalid_state()
        party = self.parties.get(attempt.provider)
        if party is None or not query.get("code"):  # the provider was removed since, or sent no code
            raise invalid_state()
        claims = await party.finish(query["code"], attempt)
        return CompletedLogin(await self.store.issue_code(claims), attempt.return_origin)

    async def redeem(self, login_code: str) -> VerifiedClaims | None:
        """The verified claims behind a login code, used up; ``None`` if used, expired or unknown."""
        return await self.store.redeem_code(login_code)


def _provider_error(error: str) -> SignInError:
    """The provider's ``error`` parameter as a reader-facing failure."""
    if error == "access_denied":
        return SignInError("LOGIN_DENIED", "Sign-in was cancelled at the provider. Nothing was shared.", 403)
    return SignInError("PROVIDER_ERROR", f"The sign-in provider reported a problem ({error[:60]}).", 502)
