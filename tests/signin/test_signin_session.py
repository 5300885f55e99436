"""``POST /session`` with a login code: the verified student, its key, and linking a browser's
anonymous history to it, over real HTTP against a real OpenID provider."""

from __future__ import annotations

from typing import Any

import httpx

from tests.chatkit.requests import create, list_threads
from tests.signin.conftest import MakeSignInTutor
from tests.support.oidc import ALICE, sign_in
from tests.web.conftest import Tutor


def login_code(tutor: Tutor, sub: str = ALICE.sub) -> str:
    """A fresh login code for ``sub`` from the whole redirect flow, in a browser of its own."""
    with httpx.Client(timeout=15) as browser:
        code = sign_in(browser, tutor.base_url, sub=sub).login_code
    assert code is not None
    return code


def protocol(tutor: Tutor, secret: str, body: str, accept: str = "application/json") -> httpx.Response:
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json", "Accept": accept}
    response = tutor.http.post("/", content=body, headers=headers)
    assert response.status_code == 200, response.text
    return response


def ask(tutor: Tutor, secret: str, text: str) -> None:
    """Start a thread with one question (the offline tutor answers over SSE)."""
    protocol(tutor, secret, create(text), "text/event-stream")


def threads(tutor: Tutor, secret: str) -> list[str]:
    """The ids of the bearer's student's threads, newest first."""
    return [thread["id"] for thread in protocol(tutor, secret, list_threads()).json()["data"]]


def student_of(tutor: Tutor, secret: str) -> str:
    response = tutor.http.get("/sessions", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200, response.text
    return str(response.json()["student_id"])


def error_code(response: httpx.Response) -> str:
    return str(response.json()["details"][0]["code"])


def tables_with_student_id(tutor: Tutor) -> list[str]:
    """Every table with a ``student_id`` column, read from the schema, so a table added later
    (turn records, say) is checked too."""
    names = [row["name"] for row in tutor.rows("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return [
        name for name in names
        if any(column["name"] == "student_id" for column in tutor.rows(f"PRAGMA table_info({name})"))
    ]


def test_a_login_code_opens_a_session_for_the_verified_student(
    provider: str, make_signin_tutor: MakeSignInTutor
) -> None:
    tutor = make_signin_tutor(provider)
    created = tutor.http.post("/session", json={"login_code": login_code(tutor), "student_name": "Mallory"})

    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    assert body["signed_in_as"] == {"name": "Alice Liddell", "email": "alice@example.com"}
    assert body["student_key"].startswith("sk_student_")
    student = student_of(tutor, body["client_secret"])
    (identity,) = tutor.rows("SELECT * FROM student_identities WHERE student_id = ?", (student,))
    assert (identity["issuer"], identity["subject"]) == (provider, ALICE.sub)
    (row,) = tutor.rows("SELECT email, name FROM students WHERE id = ?", (student,))
    assert (row["email"], row["name"]) == ("alice@example.com", "Alice Liddell")  # the provider's, not the hint

    # The key selects the same student on later sessions of this browser.
    again = tutor.http.post("/session", json={"student_key": body["student_key"]})
    assert again.status_code == 201 and student_of(tutor, again.json()["client_secret"]) == student


def test_signing_in_on_a_second_device_finds_the_same_student_and_threads(
    provider: str, make_signin_tutor: MakeSignInTutor
) -> None:
    tutor = make_signin_tutor(provider)
    first = tutor.http.post("/session", json={"login_code": login_code(tutor)}).json()
    ask(tutor, first["client_secret"], "What is a chunk?")

    second = tutor.http.post("/session", json={"login_code": login_code(tutor)}).json()
    assert student_of(tutor, second["client_secret"]) == student_of(tutor, first["client_secret"])
    assert threads(tutor, second["client_secret"]) == threads(tutor, first["client_secret"])
    assert len(threads(tutor, second["client_secret"])) == 1
    # Someone else signing in sees none of it.
    bob = tutor.http.post("/session", json={"login_code": login_code(tutor, sub="bob@example.com")}).json()
    assert threads(tutor, bob["client_secret"]) == []


def test_a_used_expired_or_unknown_login_code_is_refused(provider: str, make_signin_tutor: MakeSignInTutor) -> None:
    tutor = make_signin_tutor(provider)
    code = login_code(tutor)
    assert tutor.http.post("/session", json={"login_code": code}).status_code == 201

    for body in ({"login_code": code}, {"login_code": "lc_" + "x" * 43}):
        replayed = tutor.http.post("/session", json=body)
        assert replayed.status_code == 401 and error_code(replayed) == "INVALID_LOGIN_CODE"
    stale = login_code(tutor)
    tutor.execute("UPDATE login_codes SET expires_at = '2000-01-01T00:00:00.000000Z'")
    expired = tutor.http.post("/session", json={"login_code": stale})
    assert expired.status_code == 401 and error_code(expired) == "INVALID_LOGIN_CODE"
    assert len(tutor.rows("SELECT * FROM students")) == 1  # refusals create nobody


def test_signing_in_with_the_device_key_brings_the_anonymous_history_along(
    provider: str, make_signin_tutor: MakeSignInTutor
) -> None:
    tutor = make_signin_tutor(provider)
    # Alice is known already (another device), and reads anonymously on this one.
    known = tutor.http.post("/session", json={"login_code": login_code(tutor), "page_path": "/docs/intro"}).json()
    ask(tutor, known["client_secret"], "Asked on the laptop")
    anonymous = tutor.http.post("/session", json={"page_path": "/docs/intro"}).json()
    ask(tutor, anonymous["client_secret"], "Asked on the phone")
    phone_student = student_of(tutor, anonymous["client_secret"])

    signed_in = tutor.http.post(
        "/session", json={"login_code": login_code(tutor), "student_key": anonymous["student_key"]}
    ).json()
    alice = student_of(tutor, signed_in["client_secret"])
    assert alice == student_of(tutor, known["client_secret"])
    assert len(threads(tutor, signed_in["client_secret"])) == 2
    for table in tables_with_student_id(tutor):
        assert tutor.rows(f"SELECT * FROM {table} WHERE student_id = ?", (phone_student,)) == [], table
    assert tutor.rows("SELECT * FROM students WHERE id = ?", (phone_student,)) == []
    # Both devices read the intro: one row, both visits counted.
    visits = tutor.rows("SELECT visits FROM visits WHERE student_id = ?", (alice,))
    assert [row["visits"] for row in visits] == [2]
    # The phone's old key is gone with its student; the browser now holds the new one.
    stale = tutor.http.post("/session", json={"student_key": anonymous["student_key"]})
    assert stale.status_code == 401 and error_code(stale) == "INVALID_STUDENT_KEY"


def test_a_first_sign_in_adopts_the_anonymous_student(provider: str, make_signin_tutor: MakeSignInTutor) -> None:
    tutor = make_signin_tutor(provider)
    anonymous = tutor.http.post("/session", json={}).json()
    ask(tutor, anonymous["client_secret"], "Asked before signing in")

    signed_in = tutor.http.post(
        "/session", json={"login_code": login_code(tutor), "student_key": anonymous["student_key"]}
    ).json()
    assert student_of(tutor, signed_in["client_secret"]) == student_of(tutor, anonymous["client_secret"])
    assert len(threads(tutor, signed_in["client_secret"])) == 1


def test_only_the_key_links_history_never_an_email_or_someone_elses_key(
    provider: str, make_signin_tutor: MakeSignInTutor
) -> None:
    tutor = make_signin_tutor(provider)
    # An anonymous reader who claims Alice's email: signing in as Alice without that browser's
    # key leaves their thread where it is.
    claimer = tutor.http.post("/session", json={"student_email": "alice@example.com"}).json()
    ask(tutor, claimer["client_secret"], "Not Alice's question")
    alice = tutor.http.post("/session", json={"login_code": login_code(tutor)}).json()
    assert threads(tutor, alice["client_secret"]) == []
    assert len(threads(tutor, claimer["client_secret"])) == 1

    # Bob's key left in a browser where Alice signs in never merges two verified people.
    bob = tutor.http.post("/session", json={"login_code": login_code(tutor, sub="bob@example.com")}).json()
    ask(tutor, bob["client_secret"], "Bob's question")
    mixed = tutor.http.post(
        "/session", json={"login_code": login_code(tutor), "student_key": bob["student_key"]}
    ).json()
    assert student_of(tutor, mixed["client_secret"]) == student_of(tutor, alice["client_secret"])
    assert threads(tutor, mixed["client_secret"]) == []
    assert len(threads(tutor, bob["client_secret"])) == 1


def test_an_unknown_device_key_does_not_waste_the_sign_in(provider: str, make_signin_tutor: MakeSignInTutor) -> None:
    tutor = make_signin_tutor(provider)
    created = tutor.http.post(
        "/session", json={"login_code": login_code(tutor), "student_key": "sk_student_" + "z" * 43}
    )
    assert created.status_code == 201, created.text
    assert created.json()["signed_in_as"]["email"] == "alice@example.com"

