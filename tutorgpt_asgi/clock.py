"""Time in one place: timezone-aware UTC, and the two text forms TutorGPT uses.

Services take a ``clock`` callable so tests can move time instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def isoformat_z(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the second: the contract's ``expires_at`` form."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def stored(moment: datetime) -> str:
    """Fixed-width ISO 8601 with microseconds and ``Z``: sorts and compares as text in SQL.

    ``isoformat`` rather than ``strftime``, and ``fromisoformat`` rather than ``strptime``:
    these run several times per request, and the latter pair costs ~10x more.
    """
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_stored(text: str) -> datetime:
    """The inverse of :func:`stored`."""
    return datetime.fromisoformat(text)
