"""Sign-in settings: a complete provider, a public URL and explicit origins, or a named error."""

from __future__ import annotations

from typing import Any

import pytest

from tutorgpt_asgi.settings import SettingsError, load_settings

COMPLETE = {
    "TUTORGPT_OIDC_ISSUER": "https://accounts.google.com",
    "TUTORGPT_OIDC_CLIENT_ID": "123.apps.googleusercontent.com",
    "TUTORGPT_OIDC_CLIENT_SECRET": "GOCSPX-very-secret",
    "TUTORGPT_PUBLIC_URL": "https://book.example.com/api/chatkit",
    "TUTORGPT_ALLOWED_ORIGINS": "https://book.example.com",
}


def test_the_environment_describes_one_provider() -> None:
    settings = load_settings({}, COMPLETE)
    (provider,) = settings.oidc_providers
    assert (provider.id, provider.issuer) == ("oidc", "https://accounts.google.com")
    assert provider.scopes == "openid email profile"
    assert provider.client_secret == "GOCSPX-very-secret"
    assert load_settings({"oidc_provider": "google"}, COMPLETE).oidc_providers[0].id == "google"
    assert load_settings({}, {}).oidc_providers == ()


def test_the_client_secret_never_appears_in_a_repr() -> None:
    settings = load_settings({}, COMPLETE)
    assert "GOCSPX-very-secret" not in repr(settings) and "oidc_client_secret='<set>'" in repr(settings)
    assert "GOCSPX-very-secret" not in repr(settings.oidc_providers)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"TUTORGPT_OIDC_CLIENT_ID": ""}, "TUTORGPT_OIDC_CLIENT_ID"),
        ({"TUTORGPT_OIDC_ISSUER": ""}, "TUTORGPT_OIDC_ISSUER"),
        ({"TUTORGPT_OIDC_CLIENT_SECRET": ""}, "TUTORGPT_OIDC_CLIENT_SECRET"),
        ({"TUTORGPT_PUBLIC_URL": ""}, "TUTORGPT_PUBLIC_URL"),
        ({"TUTORGPT_OIDC_ISSUER": "http://id.example.com"}, "TUTORGPT_OIDC_ISSUER"),
        ({"TUTORGPT_PUBLIC_URL": "book.example.com/api"}, "TUTORGPT_PUBLIC_URL"),
        ({"TUTORGPT_PUBLIC_URL": "https://book.example.com/api?x=1"}, "TUTORGPT_PUBLIC_URL"),
        ({"TUTORGPT_OIDC_SCOPES": "email profile"}, "TUTORGPT_OIDC_SCOPES"),
        ({"TUTORGPT_OIDC_PROVIDER": "Google Accounts"}, "TUTORGPT_OIDC_PROVIDER"),
        ({"TUTORGPT_ALLOWED_ORIGINS": ""}, "TUTORGPT_ALLOWED_ORIGINS"),
        ({"TUTORGPT_ALLOWED_ORIGINS": "*"}, "TUTORGPT_ALLOWED_ORIGINS"),
    ],
)
def test_an_incomplete_or_unsafe_provider_stops_start_up(change: dict[str, Any], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings({}, {**COMPLETE, **change})


def test_plain_http_is_allowed_for_this_machine_only() -> None:
    local = {
        **COMPLETE, "TUTORGPT_OIDC_ISSUER": "http://127.0.0.1:9400",
        "TUTORGPT_PUBLIC_URL": "http://localhost:8000/api/chatkit",
    }
    assert load_settings({}, local).oidc_providers[0].issuer == "http://127.0.0.1:9400"
