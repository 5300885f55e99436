"""A TutorGPT sub-app on a real database (each engine in turn), served over real HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.tutor import ServedTutor, start_served


class Tutor(ServedTutor):
    """A served app with a shortcut for the contract's endpoint."""

    def create_session(self, body: dict[str, Any] | None = None, **headers: str) -> httpx.Response:
        return self.http.post("/session", json=body or {}, headers=headers)


@pytest.fixture
def make_tutor(tmp_path: Path, engine: str) -> Iterator[Callable[..., Tutor]]:
    """Start a TutorGPT app with the given settings; each gets its own database."""
    with ExitStack() as stack:
        yield lambda **settings: Tutor(*start_served(tmp_path, stack, engine, **settings))


@pytest.fixture
def tutor(make_tutor: Callable[..., Tutor]) -> Tutor:
    return make_tutor()
