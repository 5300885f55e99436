"""Identity settings: refused when they cannot be safe, read from the environment, never shown."""

from __future__ import annotations

import pytest

from tutorgpt_asgi.settings import SettingsError, load_settings

SECRET = "s" * 40


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"TUTORGPT_IDENTITY_JWT_SECRET": "short"}, "at least 32"),
        ({"TUTORGPT_IDENTITY_JWT_SECRET": SECRET, "TUTORGPT_IDENTITY_JWKS_URL": "https://x/jwks"}, "not both"),
        ({"TUTORGPT_IDENTITY_JWKS_URL": "https://login.example/jwks.json"}, "TUTORGPT_IDENTITY_AUDIENCE"),
        ({"TUTORGPT_IDENTITY_JWKS_URL": "file:///etc/passwd", "TUTORGPT_IDENTITY_AUDIENCE": "a"}, "http"),
        ({"TUTORGPT_IDENTITY_LEEWAY": "-1"}, "TUTORGPT_IDENTITY_LEEWAY"),
        ({"TUTORGPT_IDENTITY_REQUIRED": "perhaps"}, "TUTORGPT_IDENTITY_REQUIRED"),
    ],
)
def test_unsafe_identity_settings_stop_start_up(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(environ=environ)


def test_identity_settings_from_the_environment_and_the_secret_is_never_shown() -> None:
    settings = load_settings(environ={
        "TUTORGPT_IDENTITY_JWT_SECRET": SECRET, "TUTORGPT_IDENTITY_AUDIENCE": "book",
        "TUTORGPT_IDENTITY_REQUIRED": "true", "TUTORGPT_TRUST_CLAIMED_EMAIL": "false",
    })
    assert settings.identity_required is True and settings.trust_claimed_email is False
    assert settings.identity_jwt_secret == SECRET
    assert SECRET not in repr(settings) and "identity_jwt_secret='<set>'" in repr(settings)
