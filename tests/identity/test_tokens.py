"""Signed identity tokens over real HTTP: what verifies, what is refused, and that a refusal
changes nothing stored and never falls back to the key or the claimed email."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.identity.conftest import AUDIENCE, HS_SECRET, ISSUER, Jwks, Site, token

FORGER_SECRET = "another-secret-long-enough-for-every-hmac-algorithm-0123456789abcdef"
HS = {"identity_jwt_secret": HS_SECRET, "identity_audience": AUDIENCE, "identity_issuer": ISSUER}


def refused(site: Site, body: dict[str, Any], code: str = "INVALID_IDENTITY_TOKEN") -> dict[str, Any]:
    """POST /session must answer 401 with ``code`` and store nothing."""
    before = site.snapshot()
    response = site.session(body)
    assert response.status_code == 401, response.text
    payload = response.json()
    assert [detail["code"] for detail in payload["details"]] == [code]
    assert payload["error"] and payload["request_id"] == response.headers["x-request-id"]
    assert site.snapshot() == before
    return payload


def _part(data: dict[str, Any] | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _payload(claims: dict[str, Any]) -> dict[str, Any]:
    return {"exp": int(time.time()) + 300, "aud": AUDIENCE, "iss": ISSUER, **claims}


def unsigned(claims: dict[str, Any]) -> str:
    """An ``alg: none`` token (PyJWT refuses to make one, so it is assembled here)."""
    return f"{_part({'alg': 'none', 'typ': 'JWT'})}.{_part(_payload(claims))}."


def hmac_signed_with(secret: bytes, claims: dict[str, Any], kid: str) -> str:
    """An HS256 token whose secret is the server's *public* key (the algorithm confusion attack;
    PyJWT refuses to sign one, so it is assembled here)."""
    signing_input = f"{_part({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_part(_payload(claims))}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_part(signature)}"


def test_a_valid_token_selects_its_student_by_issuer_and_subject(make_site: Callable[..., Site]) -> None:
    site = make_site(**HS)
    first = site.session({"identity_token": token({"sub": "u-1", "email": "Alice@Example.com", "name": "Alice"}),
                          "student_name": "ignored: the claim wins"})
    assert first.status_code == 201, first.text
    assert "student_key" not in first.json()  # a verified student needs no key
    again = site.session({"identity_token": token({"sub": "u-1"}), "learning_level": "advanced"})
    assert again.status_code == 201
    [student] = site.rows("SELECT * FROM students")
    assert (student["email"], student["name"], student["learning_level"]) == ("alice@example.com", "Alice", "advanced")
    [identity] = site.rows("SELECT * FROM student_identities")
    assert (identity["issuer"], identity["subject"], identity["student_id"]) == (ISSUER, "u-1", student["id"])
    assert site.rows("SELECT * FROM student_keys") == []


@pytest.mark.parametrize(
    ("case", "make"),
    [
        ("forged", lambda: token({"sub": "u-1"}, key=FORGER_SECRET)),
        ("expired", lambda: token({"sub": "u-1"}, lifetime=-120)),
        ("wrong audience", lambda: token({"sub": "u-1", "aud": "other.example"})),
        ("no audience", lambda: token({"sub": "u-1", "aud": None})),
        ("wrong issuer", lambda: token({"sub": "u-1", "iss": "https://evil.example"})),
        ("alg none", lambda: unsigned({"sub": "u-1"})),
        ("another algorithm", lambda: token({"sub": "u-1"}, algorithm="HS512")),
        ("no subject", lambda: token({"sub": None})),
        ("no expiry", lambda: jwt.encode({"sub": "u-1", "aud": AUDIENCE, "iss": ISSUER}, HS_SECRET)),
        ("subject not a string", lambda: token({"sub": 12})),
        ("malformed", lambda: "not.a.jwt"),
        ("garbage", lambda: "x" * 300),
    ],
)
def test_bad_tokens_are_refused_and_never_fall_back(make_site: Callable[..., Site], case: str, make: Any) -> None:
    site = make_site(**HS)
    owner = site.chat({"student_email": "victim@example.com"})  # a key student with that email
    refused(site, {"identity_token": make(), "student_email": "victim@example.com", "student_key": owner.key})


def test_a_token_is_refused_when_none_are_configured(make_site: Callable[..., Site]) -> None:
    site = make_site()
    refused(site, {"identity_token": token({"sub": "u-1"})})


def test_token_and_key_of_different_students_the_token_wins(make_site: Callable[..., Site]) -> None:
    site = make_site(**HS)
    anonymous = site.chat({"student_name": "Key holder"})
    verified = site.session({"identity_token": token({"sub": "u-9"}), "student_key": anonymous.key})
    assert verified.status_code == 201
    students = {row["id"]: row["name"] for row in site.rows("SELECT id, name FROM students")}
    [(session_student,)] = site.rows("SELECT student_id FROM sessions WHERE id = ?", (verified.json()["session_id"],))
    [(token_student,)] = site.rows("SELECT student_id FROM student_identities WHERE subject = 'u-9'")
    assert session_student == token_student and students[token_student] is None
    assert len(students) == 2 and "Key holder" in students.values()  # the key's student is untouched


def test_identity_required_refuses_sessions_without_a_verified_identity(make_site: Callable[..., Site]) -> None:
    site = make_site(identity_required=True, **HS)
    anonymous = refused(site, {}, "IDENTITY_REQUIRED")
    assert "sign in" in anonymous["details"][0]["message"].lower()
    refused(site, {"student_email": "alice@example.com"}, "IDENTITY_REQUIRED")
    assert site.session({"identity_token": token({"sub": "u-1"})}).status_code == 201


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_jwks_keys_are_cached_and_refreshed_on_an_unknown_kid(
    make_site: Callable[..., Site], jwks: Jwks, rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey,
    algorithm: str,
) -> None:
    key = rsa_key if algorithm == "RS256" else ec_key
    jwks.publish(key, "k1")
    site = make_site(identity_jwks_url=jwks.url, identity_audience=AUDIENCE, identity_issuer=ISSUER,
                     identity_jwks_refresh_cooldown=0)
    for n in range(3):
        response = site.session({"identity_token": token({"sub": f"u-{n}"}, key=key, algorithm=algorithm, kid="k1")})
        assert response.status_code == 201, response.text
    assert len(jwks.fetches) == 1  # cached

    rotated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    new_token = token({"sub": "u-new"}, key=rotated, algorithm="RS256", kid="k2")
    refused(site, {"identity_token": new_token})  # not published yet: an unknown key
    jwks.publish(rotated, "k2")
    assert site.session({"identity_token": new_token}).status_code == 201  # fetched again for k2
    assert len(jwks.fetches) == 3


def test_jwks_refuses_the_public_key_as_an_hmac_secret_and_alg_none(
    make_site: Callable[..., Site], jwks: Jwks, rsa_key: rsa.RSAPrivateKey
) -> None:
    jwks.publish(rsa_key, "k1")
    site = make_site(identity_jwks_url=jwks.url, identity_audience=AUDIENCE)
    public_pem = rsa_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    for secret in (public_pem, json.dumps(jwks.keys[0]).encode()):
        refused(site, {"identity_token": hmac_signed_with(secret, {"sub": "u-1"}, "k1")})
    refused(site, {"identity_token": unsigned({"sub": "u-1"})})
    other_audience = token({"sub": "u-1", "aud": "another-site"}, key=rsa_key, algorithm="RS256", kid="k1")
    refused(site, {"identity_token": other_audience})


def test_an_unreachable_jwks_is_a_503_and_stores_nothing(
    make_site: Callable[..., Site], rsa_key: rsa.RSAPrivateKey
) -> None:
    site = make_site(identity_jwks_url="http://127.0.0.1:9/jwks.json", identity_audience=AUDIENCE)
    before = site.snapshot()
    response = site.session({"identity_token": token({"sub": "u-1"}, key=rsa_key, algorithm="RS256", kid="k1")})
    assert response.status_code == 503
    assert response.json()["details"][0]["code"] == "IDENTITY_KEYS_UNAVAILABLE"
    assert site.snapshot() == before


def test_one_subject_at_two_issuers_is_two_students(make_site: Callable[..., Site]) -> None:
    site = make_site(identity_jwt_secret=HS_SECRET, identity_audience=AUDIENCE)  # any issuer
    for issuer in ("https://one.example", "https://two.example", "https://one.example"):
        assert site.session({"identity_token": token({"sub": "42", "iss": issuer})}).status_code == 201
    pairs = {(row["issuer"], row["subject"]) for row in site.rows("SELECT * FROM student_identities")}
    assert pairs == {("https://one.example", "42"), ("https://two.example", "42")}
    assert len(site.rows("SELECT * FROM students")) == 2
