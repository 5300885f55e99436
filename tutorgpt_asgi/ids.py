"""Ids for every stored object: sessions, students, threads, items.

Ids double as capabilities within a student's scope, so each one carries 96 random bits (the
reference ChatKit SDK uses 32). They start with the time in milliseconds so that SQLite appends
new rows at the end of its B-tree (random text keys cost ~40% of insert throughput, per the
performance notes) and so that they sort by creation time when reading the database by hand.
"""

from __future__ import annotations

import secrets
import time


def new_id(prefix: str) -> str:
    """``<prefix>_`` + 12 hex digits of milliseconds + 24 hex digits (96 bits) of randomness."""
    return f"{prefix}_{time.time_ns() // 1_000_000:012x}{secrets.token_hex(12)}"
