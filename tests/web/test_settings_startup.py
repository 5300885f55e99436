"""An invalid setting stops start-up with a message that names it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tutorgpt_asgi import create_app
from tutorgpt_asgi.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("TUTORGPT_RATE_LIMIT", "lots", "rate_limit (TUTORGPT_RATE_LIMIT)"),
        ("TUTORGPT_SESSION_IDLE_TTL", "soon", "session_idle_ttl (TUTORGPT_SESSION_IDLE_TTL)"),
        ("TUTORGPT_TRUSTED_PROXIES", "10.0.0.0/8,not-an-ip", "trusted_proxies"),
        ("TUTORGPT_DATABASE_URL", "mysql://x", "database_url (TUTORGPT_DATABASE_URL)"),
        ("TUTORGPT_LOG_LEVEL", "CHATTY", "log_level (TUTORGPT_LOG_LEVEL)"),
        ("TUTORGPT_ALLOWED_ORIGINS", "book.example.com", "allowed_origins"),
    ],
)
def test_invalid_environment_settings_are_named(variable: str, value: str, named: str) -> None:
    with pytest.raises(SettingsError, match=named.replace("(", r"\(").replace(")", r"\)")):
        load_settings(environ={variable: value})


def test_keyword_arguments_win_over_the_environment() -> None:
    settings = load_settings({"rate_limit": "5/minute"}, {"TUTORGPT_RATE_LIMIT": "7/minute"})
    assert settings.rate_limit == "5/minute"
    assert load_settings({}, {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}).model_configured


def test_unknown_keyword_is_refused() -> None:
    with pytest.raises(SettingsError, match="Unknown setting 'databse_url'"):
        create_app(databse_url="sqlite:///x.db")


def test_idle_ttl_longer_than_lifetime_is_refused() -> None:
    with pytest.raises(SettingsError, match="session_idle_ttl"):
        load_settings({"session_idle_ttl": 100, "session_max_ttl": 50}, {})


def test_cli_exits_with_the_message_and_no_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tutorgpt_asgi.cli", "serve", "--port", "1"],
        env={**os.environ, "TUTORGPT_SESSION_MAX_TTL": "forever"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "session_max_ttl (TUTORGPT_SESSION_MAX_TTL)" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unusable_rate_limit_storage_is_named() -> None:
    with pytest.raises(SettingsError, match=r"rate_limit_storage \(TUTORGPT_RATE_LIMIT_STORAGE\)"):
        create_app(rate_limit_storage="carrier-pigeon://coop")


def test_the_api_key_never_appears_in_the_settings_repr() -> None:
    settings = load_settings({}, {"OPENAI_API_KEY": "sk-very-secret-key"})
    assert settings.openai_api_key == "sk-very-secret-key"
    assert "sk-very-secret-key" not in repr(settings) and "openai_api_key='<set>'" in repr(settings)
