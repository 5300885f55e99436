"""The tokens of ``POST /session`` (ids, request id, client secret, student key) come from
OpenSSL's CSPRNG, which keeps the GIL: ``os.urandom`` released it, and the event loop then
waited on the SQLite writer thread (mean 124 µs, p99 5 ms a call with one busy thread)."""

from __future__ import annotations

import re
import ssl

import pytest

from tutorgpt_asgi import ids
from tutorgpt_asgi.sessions.identity import new_student_key
from tutorgpt_asgi.sessions.secrets import new_client_secret
from tutorgpt_asgi.web.errors import new_request_id


def test_every_session_token_draws_from_openssl(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[int] = []
    openssl = ssl.RAND_bytes

    def recording(nbytes: int) -> bytes:
        drawn.append(nbytes)
        return openssl(nbytes)

    monkeypatch.setattr(ids.ssl, "RAND_bytes", recording)
    assert re.fullmatch(r"sess_[0-9a-f]{36}", ids.new_id("sess"))
    assert re.fullmatch(r"req_[0-9a-f]{24}", new_request_id())
    assert re.fullmatch(r"sk_chatkit_[A-Za-z0-9_-]{43}", new_client_secret())
    assert re.fullmatch(r"sk_student_[A-Za-z0-9_-]{43}", new_student_key())
    assert drawn == [12, 12, 32, 32]


def test_tokens_are_distinct() -> None:
    assert len({new_client_secret() for _ in range(1000)}) == 1000
    assert len({ids.new_id("stu") for _ in range(1000)}) == 1000
