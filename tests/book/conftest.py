"""Shared fixtures for the book tests: the fixture book (docs folder and its export)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.realbook import RealBook, build_realbook

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "book"
DOCS = FIXTURE / "docs"
EXPORT = FIXTURE / "book-index.json"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def docs_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture docs folder."""
    target = tmp_path / "docs"
    shutil.copytree(DOCS, target)
    return target


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'book.db'}"


@pytest.fixture(scope="session")
def realbook() -> RealBook:
    """The realbook fixture site, built once per session (and cached by content)."""
    return build_realbook()
