"""Sign in with OpenID Connect against a real provider on loopback, over real HTTP.

Every hop is a real request: the backend's ``/auth/login`` redirects to the mock provider, the
test submits the provider's form as a browser would, the provider redirects back to
``/auth/callback``, and the backend exchanges the code and verifies the ID token against the
provider's JWKS before handing over a login code.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx
import pytest

from tests.signin.conftest import MakeSignInTutor
from tests.support.oidc import (
    ALICE,
    BOOK_ORIGIN,
    callback_url,
    oidc_provider,
    query_of,
    sign_in,
    tampering_proxy,
)
from tests.support.servers import free_port


def error_code(response: httpx.Response) -> str | None:
    """The stable code on a sign-in error page."""
    marker = 'data-tutorgpt="signin-error" data-code="'
    text = response.text
    return text[text.index(marker) + len(marker):].split('"', 1)[0] if marker in text else None


def test_sign_in_hands_a_login_code_to_the_book_origin_only(
    provider: str, make_signin_tutor: MakeSignInTutor, browser: httpx.Client
) -> None:
    tutor = make_signin_tutor(provider)
    result = sign_in(browser, tutor.base_url)

    assert result.response.status_code == 200, result.response.text
    assert result.login_code is not None and result.login_code.startswith("lc_")
    assert result.origin == BOOK_ORIGIN
    policy = result.response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'nonce-" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert result.response.headers["cache-control"] == "no-store"
    # The verified identity waits under the code's hash only, with the provider's claims.
    rows = tutor.rows("SELECT * FROM login_codes")
    assert len(rows) == 1
    assert rows[0]["code_hash"] == hashlib.sha256(result.login_code.encode()).hexdigest()
    assert (rows[0]["issuer"], rows[0]["subject"]) == (provider, ALICE.sub)
    assert (rows[0]["email"], rows[0]["name"]) == ("alice@example.com", "Alice Liddell")
    assert result.login_code not in str([dict(row) for row in rows])
    assert tutor.rows("SELECT * FROM login_attempts") == []  # the attempt was used up


def test_the_authorization_request_carries_state_nonce_and_a_pkce_challenge(
    provider: str, make_signin_tutor: MakeSignInTutor, browser: httpx.Client
) -> None:
    tutor = make_signin_tutor(provider)
    redirect = browser.get(tutor.base_url + "/auth/login", params={"return_origin": BOOK_ORIGIN})

    assert redirect.status_code == 302
    location = redirect.headers["location"]
    assert location.startswith(provider + "/oauth2/authorize?")
    query = query_of(location)
    assert query["response_type"] == "code" and query["client_id"] == "tutorgpt-test"
    assert query["redirect_uri"] == tutor.base_url + "/auth/callback"
    assert query["scope"] == "openid email profile"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
    assert len(query["state"]) >= 20 and len(query["nonce"]) >= 20
    cookie = redirect.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Path=/auth" in cookie and "SameSite=lax" in cookie
    # Only the state's hash is kept, never the state itself.
    stored = tutor.rows("SELECT state_hash FROM login_attempts")
    assert [row["state_hash"] for row in stored] == [hashlib.sha256(query["state"].encode()).hexdigest()]


@pytest.mark.parametrize("origin", ["https://evil.example", "", "http://127.0.0.1:3999.evil.example"])
def test_a_return_origin_outside_the_allowed_origins_is_refused(
    origin: str, provider: str, make_signin_tutor: MakeSignInTutor, browser: httpx.Client
) -> None:
    tutor = make_signin_tutor(provider)
    response = browser.get(tutor.base_url + "/auth/login", params={"return_origin": origin})

    assert response.status_code == 400
    assert error_code(response) == "ORIGIN_NOT_ALLOWED"
    assert response.headers["content-type"].startswith("text/html")
    assert tutor.rows("SELECT * FROM login_attempts") == []


def test_a_wrong_state_a_replayed_callback_and_another_browser_are_refused(
    provider: str, make_signin_tutor: MakeSignInTutor, browser: httpx.Client
) -> None:
    tutor = make_signin_tutor(provider)
    first = sign_in(browser, tutor.base_url)
    assert first.login_code is not None
    replayed = browser.get(callback_url(first.response))
    assert replayed.status_code == 400 and error_code(replayed) == "INVALID_STATE"

    # A callback whose state was altered, then one carried to a browser that never started it.
    form = browser.get(tutor.base_url + "/auth/login", params={"return_origin": BOOK_ORIGIN}, follow_redirects=True)
    back = browser.post(str(form.url), data={"sub": ALICE.sub}, follow_redirects=False)
    callback = back.headers["location"]
    query = query_of(callback)
    forged = browser.get(tutor.base_url + "/auth/callback", params={**query, "state": query["state"] + "x"})
    assert forged.status_code == 400 and error_code(forged) == "INVALID_STATE"
    with httpx.Client(timeout=15) as other_browser:
        elsewhere = other_browser.get(callback)
    assert elsewhere.status_code == 400 and error_code(elsewhere) == "INVALID_STATE"
    missing = browser.get(tutor.base_url + "/auth/callback", params={"code": query["code"]})
    assert missing.status_code == 400 and error_code(missing) == "INVALID_STATE"
    assert tutor.rows("SELECT * FROM login_codes WHERE subject = ?", (ALICE.sub,)).__len__() == 1


def test_denied_consent_ends_on_a_readable_page(
    provider: str, make_signin_tutor: MakeSignInTutor, browser: httpx.Client
) -> None:
    tutor = make_signin_tutor(provider)
    result = sign_in(browser, tutor.base_url, action="deny")

    assert result.login_code is None
    assert result.response.status_code == 403 and error_code(result.response) == "LOGIN_DENIED"
    assert "cancelled" in result.response.text
    assert tutor.rows("SELECT * FROM login_codes") == []


@pytest.mark.parametrize("how", ["claims", "resign", "none", "nonce"])
def test_a_tampered_id_token_is_refused(
    how: str, provider: str, make_signin_tutor: MakeSignInTutor, browser: httpx.Client
) -> None:
    with tampering_proxy(provider, how) as issuer:
        tutor = make_signin_tutor(issuer)
        result = sign_in(browser, tutor.base_url)

    assert result.login_code is None, how
    assert result.response.status_code == 401 and error_code(result.response) == "INVALID_ID_TOKEN"
    assert tutor.rows("SELECT * FROM login_codes") == []


def test_an_expired_id_token_is_refused(make_signin_tutor: MakeSignInTutor, browser: httpx.Client) -> None:
    with oidc_provider(token_max_age=timedelta(minutes=-10)) as issuer:
        tutor = make_signin_tutor(issuer)
        result = sign_in(browser, tutor.base_url)

    assert result.response.status_code == 401 and error_code(result.response) == "INVALID_ID_TOKEN"


def test_an_unreachable_provider_is_a_readable_502(make_signin_tutor: MakeSignInTutor, browser: httpx.Client) -> None:
    tutor = make_signin_tutor(f"http://127.0.0.1:{free_port()}")
    response = browser.get(tutor.base_url + "/auth/login", params={"return_origin": BOOK_ORIGIN})

    assert response.status_code == 502 and error_code(response) == "PROVIDER_UNAVAILABLE"


def test_a_provider_that_announces_another_issuer_is_refused(
    provider: str, make_signin_tutor: MakeSignInTutor, browser: httpx.Client
) -> None:
    tutor = make_signin_tutor(provider + "/")  # the provider's issuer has no trailing slash
    response = browser.get(tutor.base_url + "/auth/login", params={"return_origin": BOOK_ORIGIN})

    assert response.status_code == 502 and error_code(response) == "PROVIDER_ERROR"


def test_the_providers_route_lists_what_sign_in_offers(provider: str, make_signin_tutor: MakeSignInTutor) -> None:
    tutor = make_signin_tutor(provider, oidc_provider="example-id")
    assert tutor.http.get("/auth/providers").json() == {"providers": [{"id": "example-id"}]}


def test_sign_in_routes_without_a_provider_say_so(make_signin_tutor: MakeSignInTutor) -> None:
    tutor = make_signin_tutor(None, oidc_client_id=None, oidc_client_secret=None)
    assert tutor.http.get("/auth/providers").json() == {"providers": []}
    response = tutor.http.get("/auth/login", params={"return_origin": BOOK_ORIGIN})
    assert response.status_code == 404 and error_code(response) == "SIGNIN_NOT_CONFIGURED"
    response = tutor.http.get("/auth/callback", params={"state": "x", "code": "y"})
    assert response.status_code == 404 and error_code(response) == "SIGNIN_NOT_CONFIGURED"


def test_an_unknown_provider_id_and_too_many_attempts_get_readable_pages(
    provider: str, make_signin_tutor: MakeSignInTutor, browser: httpx.Client
) -> None:
    tutor = make_signin_tutor(provider, rate_limit="2/minute")
    unknown = browser.get(tutor.base_url + "/auth/login", params={"return_origin": BOOK_ORIGIN, "provider": "nope"})
    assert unknown.status_code == 404 and error_code(unknown) == "UNKNOWN_PROVIDER"
    assert browser.get(tutor.base_url + "/auth/login", params={"return_origin": BOOK_ORIGIN}).status_code == 302
    limited = browser.get(tutor.base_url + "/auth/login", params={"return_origin": BOOK_ORIGIN})
    assert limited.status_code == 429 and error_code(limited) == "RATE_LIMIT_EXCEEDED"

