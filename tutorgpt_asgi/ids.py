"""Ids for every stored object (sessions, students, threads, items), and the random tokens
behind ids, secrets and keys.

Ids double as capabilities within a student's scope, so each one carries 96 random bits (the
reference ChatKit SDK uses 32). They start with the time in milliseconds so that SQLite appends
new rows at the end of its B-tree (random text keys cost ~40% of insert throughput, per the
performance notes) and so that they sort by creation time when reading the database by hand.

The random bytes come from OpenSSL's CSPRNG (``ssl.RAND_bytes``), not from ``secrets``:
``os.urandom`` releases the GIL around its system call, and on the event loop that hands the
GIL to the SQLite writer thread, which may keep it for up to the 5 ms switch interval. With one
busy thread an ``os.urandom(16)`` took 124 µs on average and 5 ms at p99, against 1 µs for
``RAND_bytes``, which keeps the GIL; ``POST /session`` draws four tokens (issue 16).
"""

from __future__ import annotations

import base64
import ssl
import time


def token_hex(nbytes: int) -> str:
    """``nbytes`` random bytes as hex, like ``secrets.token_hex``."""
    return ssl.RAND_bytes(nbytes).hex()


def token_urlsafe(nbytes: int) -> str:
    """``nbytes`` random bytes as unpadded base64url, like ``secrets.token_urlsafe``."""
    return base64.urlsafe_b64encode(ssl.RAND_bytes(nbytes)).rstrip(b"=").decode("ascii")


def new_id(prefix: str) -> str:
    """``<prefix>_`` + 12 hex digits of milliseconds + 24 hex digits (96 bits) of randomness."""
    return f"{prefix}_{time.time_ns() // 1_000_000:012x}{token_hex(12)}"
