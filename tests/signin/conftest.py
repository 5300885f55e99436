"""A real OpenID provider on loopback and TutorGPT apps configured to sign in with it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.oidc import BOOK_ORIGIN, oidc_provider
from tests.support.servers import free_port
from tests.support.tutor import start_served
from tests.web.conftest import Tutor

MakeSignInTutor = Callable[..., Tutor]


@pytest.fixture
def provider() -> Iterator[str]:
    with oidc_provider() as issuer:
        yield issuer


@pytest.fixture
def make_signin_tutor(tmp_path: Path) -> Iterator[MakeSignInTutor]:
    """A backend configured for ``issuer``, knowing its own public URL before it serves."""
    with ExitStack() as stack:

        def make(issuer: str, **settings: Any) -> Tutor:
            port = free_port()
            settings = {
                "public_url": f"http://127.0.0.1:{port}", "oidc_issuer": issuer,
                "oidc_client_id": "tutorgpt-test", "oidc_client_secret": "test-client-secret",
                "allowed_origins": [BOOK_ORIGIN], "rate_limit": "1000/minute", **settings,
            }
            return Tutor(*start_served(tmp_path, stack, port=port, **settings))

        yield make


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=15) as client:
        yield client
