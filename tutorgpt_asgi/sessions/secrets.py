"""Client secrets and their hashes.

A client secret carries 256 random bits and is stored only as its SHA-256, so a copy of the
database grants no access.
"""

from __future__ import annotations

import hashlib

from tutorgpt_asgi.ids import token_urlsafe

SECRET_PREFIX = "sk_chatkit_"


def new_client_secret() -> str:
    """``sk_chatkit_`` followed by 256 random bits, URL-safe."""
    return SECRET_PREFIX + token_urlsafe(32)


def hash_secret(client_secret: str) -> bytes:
    """The only form in which a secret is ever stored or compared."""
    return hashlib.sha256(client_secret.encode("utf-8", "surrogatepass")).digest()

