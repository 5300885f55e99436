"""TutorGPT's settings: keyword arguments first, then ``TUTORGPT_*`` environment variables.

Every setting has one public name. The keyword argument is the environment variable in lower
case without the ``TUTORGPT_`` prefix, so deployments and docs stay stable. Values from the
environment are strings and are converted with msgspec, which also validates keyword arguments;
an invalid value stops start-up with a :class:`SettingsError` that names the setting.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import msgspec
from limits import parse_many

from tutorgpt_asgi.store.urls import hide_password, parse_database_url

ENV_PREFIX = "TUTORGPT_"

#: Settings that the ``openai`` SDK reads under its own names; ``TUTORGPT_*`` still wins.
SDK_ENVIRONMENT = {"openai_api_key": "OPENAI_API_KEY", "openai_base_url": "OPENAI_BASE_URL"}

#: Settings that are never shown, only whether they are set.
SECRET_SETTINGS = frozenset({"openai_api_key", "identity_jwt_secret", "oidc_client_secret", "admin_token"})

#: The shortest HS256 secret accepted: RFC 7518 wants a key at least as long as the hash.
MIN_JWT_SECRET_CHARS = 32

#: Settings whose environment value is a comma-separated list.
LIST_SETTINGS = frozenset({"trusted_proxies", "allowed_origins", "book_exclude"})

#: Settings whose environment value is JSON.
JSON_SETTINGS = frozenset({"model_prices"})


#: A provider's id in the login URL (``/auth/login?provider=...``).
_PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """A setting has an invalid value; the message names the setting and its variable."""


class ModelPrice(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What a model costs, in any currency, per million prompt and completion tokens."""

    prompt: Annotated[float, msgspec.Meta(ge=0)]
    completion: Annotated[float, msgspec.Meta(ge=0)]


class OIDCProvider(msgspec.Struct, frozen=True, kw_only=True):
    """One OpenID Connect provider readers can sign in with.

    Today the ``TUTORGPT_OIDC_*`` settings describe exactly one. Routes, login attempts and
    login codes are already keyed by ``id`` and verified identities by ``issuer``, so a list
    of providers fits without changing them.
    """

    id: str
    issuer: str
    client_id: str
    client_secret: str | None
    scopes: str

    def __repr__(self) -> str:
        secret = "<set>" if self.client_secret else None
        return f"OIDCProvider(id={self.id!r}, issuer={self.issuer!r}, client_id={self.client_id!r}, " \
            f"client_secret={secret!r}, scopes={self.scopes!r})"


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """All of TutorGPT's configuration. Defaults are the embedded demo set-up."""

    database_url: str = "sqlite:///./tutorgpt.db"
    book_database_url: str = "sqlite:///./tutorgpt-book.db"
    book: str | None = None
    #: Globs of docs to skip when ``book`` is a docs folder (the site's ``exclude``).
    book_exclude: tuple[str, ...] = ()
    #: The book's name in the tutor's instructions; None = the export's site title.
    book_title: str | None = None
    site_url: str | None = None
    rate_limit: str = "10/minute"
    rate_limit_storage: str = "memory://"
    message_rate_limit: str = "20/minute"
    trusted_proxies: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    session_idle_ttl: int = 1800
    session_max_ttl: int = 43200
    session_refresh_grace: int = 300
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    model: str | None = None
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    temperature: float = 0.7
    max_tokens: int = 1000
    max_tool_rounds: int = 4
    history_budget_chars: int = 12000
    model_timeout: float = 30.0
    model_max_retries: int = 2
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    database_pool_size: int = 10
    rate_limit_fail_open: bool = False
    message_rate_limit_per_ip: str = "60/minute"
    session_history_days: int = 90
    anonymous_retention_days: int = 30
    purge_interval: float = 60.0
    purge_batch_size: int = 200
    admin_token: str | None = None
    analytics_retention_days: Annotated[int, msgspec.Meta(ge=1)] | None = None
    model_prices: dict[str, ModelPrice] = {}
    public_url: str | None = None
    oidc_provider: str = "oidc"
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid email profile"
    identity_jwt_secret: str | None = None
    identity_jwks_url: str | None = None
    identity_audience: str | None = None
    identity_issuer: str | None = None
    identity_leeway: float = 30.0
    identity_jwks_cache_seconds: float = 300.0
    identity_jwks_refresh_cooldown: float = 30.0
    identity_required: bool = False
    trust_claimed_email: bool = False

    def __repr__(self) -> str:
        """Every setting but the secrets, shown only as set or not, and URLs without passwords."""
        shown = {
            name: ("<set>" if getattr(self, name) else None) if name in SECRET_SETTINGS else getattr(self, name)
            for name in self.__struct_fields__
        }
        shown["database_url"] = hide_password(self.database_url)
        shown["rate_limit_storage"] = hide_password(self.rate_limit_storage)
        return "Settings(" + ", ".join(f"{name}={value!r}" for name, value in shown.items()) + ")"

    @property
    def model_configured(self) -> bool:
        """A language model is used when a model name, an API key or a base URL is set."""
        return bool(self.model or self.openai_api_key or self.openai_base_url)

    @property
    def model_name(self) -> str:
        """The model to call; ``gpt-4.1-mini`` when only a key or base URL is given."""
        return self.model or "gpt-4.1-mini"

    @property
    def oidc_providers(self) -> tuple[OIDCProvider, ...]:
        """The sign-in providers; empty when sign-in is off (no ``oidc_issuer``)."""
        if not self.oidc_issuer or not self.oidc_client_id:
            return ()
        return (
            OIDCProvider(
                id=self.oidc_provider, issuer=self.oidc_issuer, client_id=self.oidc_client_id,
                client_secret=self.oidc_client_secret, scopes=self.oidc_scopes,
            ),
        )


def _field_names() -> tuple[str, ...]:
    return Settings.__struct_fields__


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Collect raw values from the environment; empty variables count as unset."""
    raw: dict[str, Any] = {}
    for name in _field_names():
        value = environ.get(ENV_PREFIX + name.upper())
        if value is None and name in SDK_ENVIRONMENT:
            value = environ.get(SDK_ENVIRONMENT[name])
        if value is None or value == "":
            continue
        if name in LIST_SETTINGS:
            raw[name] = [part.strip() for part in value.split(",") if part.strip()]
        elif name in JSON_SETTINGS:
            try:
                raw[name] = msgspec.json.decode(value)
            except msgspec.DecodeError:
                raise SettingsError(f"Invalid setting {_variable_for(name)}: not JSON") from None
        else:
            raw[name] = value
    return raw


def _variable_for(name: str) -> str:
    return f"{name} ({ENV_PREFIX}{name.upper()})"


def _check(settings: Settings) -> None:
    """Rules msgspec's types cannot express, each reported with the setting's name."""
    for name in ("rate_limit", "message_rate_limit", "message_rate_limit_per_ip"):
        try:
            if not parse_many(getattr(settings, name)):
                raise ValueError("empty")
        except ValueError as error:
            raise SettingsError(
                f"Invalid setting {_variable_for(name)}: {getattr(settings, name)!r} is not a "
                f"rate limit such as '10/minute' ({error})"
            ) from None
    for cidr in settings.trusted_proxies:
        try:
            parse_networks((cidr,))
        except ValueError:
            raise SettingsError(
                f"Invalid setting {_variable_for('trusted_proxies')}: {cidr!r} is not an IP "
                "address or CIDR network"
            ) from None
    for name in (
        "session_idle_ttl", "session_max_ttl", "max_tokens", "history_budget_chars", "database_pool_size",
        "session_history_days", "anonymous_retention_days", "purge_interval", "purge_batch_size",
    ):
        if getattr(settings, name) <= 0:
            raise SettingsError(f"Invalid setting {_variable_for(name)}: must be positive")
    if settings.session_idle_ttl > settings.session_max_ttl:
        raise SettingsError(
            f"Invalid setting {_variable_for('session_idle_ttl')}: longer than "
            f"{_variable_for('session_max_ttl')}"
        )
    for name in ("max_tool_rounds", "model_max_retries", "session_refresh_grace"):
        if getattr(settings, name) < 0:
            raise SettingsError(f"Invalid setting {_variable_for(name)}: must not be negative")
    if not 0.0 <= settings.temperature <= 2.0:
        raise SettingsError(f"Invalid setting {_variable_for('temperature')}: must be 0 to 2")
    for name in ("database_url", "book_database_url"):
        try:
            parsed = parse_database_url(getattr(settings, name))
        except ValueError as error:
            raise SettingsError(f"Invalid setting {_variable_for(name)}: {error}") from None
        if name == "book_database_url" and parsed.engine != "sqlite":
            raise SettingsError(
                f"Invalid setting {_variable_for(name)}: the book index is an SQLite file on each "
                "host; use sqlite:///path/to/tutorgpt-book.db"
            )
    _check_identity(settings)
    for origin in settings.allowed_origins:
        if origin != "*" and "://" not in origin:
            raise SettingsError(
                f"Invalid setting {_variable_for('allowed_origins')}: {origin!r} is not an "
                "origin such as https://book.example.com"
            )
    _check_signin(settings)


def _secure_or_loopback(url: str) -> bool:
    """``https``, or plain ``http`` to this machine (development and tests)."""
    parts = urlsplit(url)
    return bool(parts.hostname) and (
        parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS)
    )


def _check_signin(settings: Settings) -> None:
    """Sign-in needs a complete provider, a public URL for the redirect, and explicit origins:
    a login code is posted only to an allowed origin, so "any origin" would hand it to any site."""
    if not (settings.oidc_issuer or settings.oidc_client_id or settings.oidc_client_secret):
        return
    # A confidential client only: the test provider, like most, refuses unauthenticated clients,
    # so a public-client path could not be tested here.
    for name in ("oidc_issuer", "oidc_client_id", "oidc_client_secret", "public_url"):
        if not getattr(settings, name):
            raise SettingsError(f"Missing setting {_variable_for(name)}: OpenID Connect sign-in needs it")
    for name in ("oidc_issuer", "public_url"):
        url = getattr(settings, name)
        if not _secure_or_loopback(url) or urlsplit(url).query or urlsplit(url).fragment:
            raise SettingsError(
                f"Invalid setting {_variable_for(name)}: {url!r} is not an https URL (plain http is "
                "allowed for localhost only)"
            )
    if "openid" not in settings.oidc_scopes.split():
        raise SettingsError(f"Invalid setting {_variable_for('oidc_scopes')}: must include 'openid'")
    if not _PROVIDER_ID.match(settings.oidc_provider):
        raise SettingsError(
            f"Invalid setting {_variable_for('oidc_provider')}: use lower-case letters, digits, '-' or '_'"
        )
    if not settings.allowed_origins or "*" in settings.allowed_origins:
        raise SettingsError(
            f"Invalid setting {_variable_for('allowed_origins')}: OpenID Connect sign-in needs the "
            "book's origins listed explicitly (a login code is posted only to one of them)"
        )


def _check_identity(settings: Settings) -> None:
    """Token verification needs exactly one key source, a strong secret, and an audience for a
    shared key set (a Firebase or Auth0 JWKS signs tokens for many other sites too)."""
    secret, jwks = settings.identity_jwt_secret, settings.identity_jwks_url
    if secret and jwks:
        raise SettingsError(
            f"Invalid setting {_variable_for('identity_jwt_secret')}: set it or "
            f"{_variable_for('identity_jwks_url')}, not both"
        )
    if secret is not None and len(secret) < MIN_JWT_SECRET_CHARS:
        raise SettingsError(
            f"Invalid setting {_variable_for('identity_jwt_secret')}: use at least "
            f"{MIN_JWT_SECRET_CHARS} random characters"
        )
    if jwks is not None:
        if not jwks.startswith(("https://", "http://")):
            raise SettingsError(f"Invalid setting {_variable_for('identity_jwks_url')}: {jwks!r} is not an http(s) URL")
        if not settings.identity_audience:
            raise SettingsError(
                f"Missing setting {_variable_for('identity_audience')}: required with "
                f"{_variable_for('identity_jwks_url')}, or tokens issued for other sites verify too"
            )
    if settings.identity_jwks_cache_seconds <= 0:
        raise SettingsError(f"Invalid setting {_variable_for('identity_jwks_cache_seconds')}: must be positive")
    for name in ("identity_leeway", "identity_jwks_refresh_cooldown"):
        if getattr(settings, name) < 0:
            raise SettingsError(f"Invalid setting {_variable_for(name)}: must not be negative")


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build settings from the environment, with keyword overrides winning.

    Raises :class:`SettingsError` naming the first invalid or unknown setting.
    """
    raw = _from_environment(os.environ if environ is None else environ)
    for name, value in (overrides or {}).items():
        if name not in _field_names():
            raise SettingsError(f"Unknown setting {name!r}")
        if value is not None:
            raw[name] = list(value) if name in LIST_SETTINGS else value
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as error:
        path = str(error).rsplit("`$.", 1)
        name = path[1].rstrip("`").split("[", 1)[0] if len(path) == 2 else "?"
        raise SettingsError(f"Invalid setting {_variable_for(name)}: {error}") from None
    _check(settings)
    return settings


def parse_networks(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """``trusted_proxies`` as networks (``load_settings`` has already validated them)."""
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def variable_for(name: str) -> str:
    """A setting as people look it up: ``name (TUTORGPT_NAME)``."""
    return _variable_for(name)
