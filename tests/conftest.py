"""Shared fixtures: anyio on asyncio, and the database engine a test runs against."""

from __future__ import annotations

import pytest

from tests.support.databases import ENGINES


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``: store and service tests run once on each."""
    return str(request.param)
