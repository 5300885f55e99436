"""Ids and timestamps for threads and items.

Ids are opaque to the widget but double as capabilities within a student's scope, so each one
carries 96 random bits (the reference SDK uses 32). A millisecond-time prefix keeps them roughly
sortable by creation time, which helps when reading the database by hand.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime


def new_id(prefix: str) -> str:
    """``<prefix>_<12 hex digits of ms time><24 hex digits = 96 random bits>``."""
    return f"{prefix}_{time.time_ns() // 1_000_000:012x}{secrets.token_hex(12)}"


def utc_timestamp() -> str:
    """ISO-8601 UTC with fixed microsecond width, so stored strings sort chronologically."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
