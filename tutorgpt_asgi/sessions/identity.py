"""Who a student is, as proven (not as claimed): the host's callback, a signed token, or a key.

A claimed email is a profile hint. Only a proof selects an existing student: a verified
``(issuer, subject)`` pair, or a student key. The pair is what any later sign-in (an OpenID
Connect provider, say) also produces, so every proof that names a person lands on one table.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from tutorgpt_asgi.ids import token_urlsafe

#: The issuer recorded for identities the host app's ``identify`` callback returns.
HOST_ISSUER: Final = "host"
#: The issuer of a token without an ``iss`` claim (a site signing its own HS256 tokens).
TOKEN_ISSUER: Final = "token"
#: The issuer of a claimed email, trusted only under ``TUTORGPT_TRUST_CLAIMED_EMAIL=true``.
CLAIMED_EMAIL_ISSUER: Final = "claimed-email"

STUDENT_KEY_PREFIX: Final = "sk_student_"


@dataclass(frozen=True, slots=True)
class Identity:
    """What a host app's ``identify(request)`` callback returns for a signed-in person.

    ``subject`` is the host's stable user id (never an email that can change hands); ``email``
    and ``name`` fill the student's profile; ``admin`` marks the session as an administrator's.
    """

    subject: str
    email: str | None = None
    name: str | None = None
    admin: bool = False


@dataclass(frozen=True, slots=True)
class VerifiedIdentity:
    """A proven person: the issuer that vouches for them and its id for them."""

    issuer: str
    subject: str
    email: str | None = None
    name: str | None = None
    admin: bool = False
    #: Proven by a sign-in with an OpenID Connect provider (a login code): the browser keeps a
    #: student key for this student, and its key's anonymous history may join it.
    signed_in: bool = False


class IdentityRejected(Exception):
    """A proof was offered and failed: the web layer answers ``status`` with ``code``."""

    def __init__(self, code: str, message: str, status: int = 401) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def new_student_key() -> str:
    """``sk_student_`` followed by 256 random bits, URL-safe; shown to the client once."""
    return STUDENT_KEY_PREFIX + token_urlsafe(32)


def hash_student_key(key: str) -> bytes:
    """The only form in which a student key is stored or compared."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
