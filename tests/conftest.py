"""Shared fixtures: anyio on asyncio, and a TutorGPT app on a real SQLite file."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
