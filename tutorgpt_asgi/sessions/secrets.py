"""Client secrets, their hashes, and time-ordered ids.

A client secret carries 256 random bits and is stored only as its SHA-256, so a copy of the
database grants no access. Ids start with the time in milliseconds so that SQLite appends new
rows at the end of its B-tree (random text keys cost ~40% of insert throughput), followed by
96 random bits so they cannot be guessed.
"""

from __future__ import annotations

import hashlib
import secrets
import time

SECRET_PREFIX = "sk_chatkit_"


def new_client_secret() -> str:
    """``sk_chatkit_`` followed by 256 random bits, URL-safe."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def hash_secret(client_secret: str) -> bytes:
    """The only form in which a secret is ever stored or compared."""
    return hashlib.sha256(client_secret.encode("utf-8", "surrogatepass")).digest()


def new_id(prefix: str) -> str:
    """``prefix`` + 12 hex digits of milliseconds + 24 hex digits (96 bits) of randomness."""
    return f"{prefix}{time.time_ns() // 1_000_000:012x}{secrets.token_hex(12)}"
