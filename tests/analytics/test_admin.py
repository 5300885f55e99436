"""GET /admin over real HTTP: refused without the token, shown with it (bearer or login cookie),
never a 500 for bad input; and the page's colours meet WCAG AA in both schemes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Mount

from tests.analytics.support import BOOK_DOCS, SITE_URL, Reader, page
from tests.support.servers import serve
from tutorgpt_asgi import Identity, create_app
from tutorgpt_asgi.analytics.page import PALETTE
from tutorgpt_asgi.web.admin_auth import COOKIE_NAME, cookie_valid, cookie_value

TOKEN = "admin-token-for-tests-0123456789"
BROWSER = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture
def admin(tmp_path: Path) -> Iterator[httpx.Client]:
    app = create_app(
        database_url=f"sqlite:///{tmp_path / 'main.db'}", book_database_url=f"sqlite:///{tmp_path / 'book.db'}",
        book=str(BOOK_DOCS), site_url=SITE_URL, admin_token=TOKEN,
    )
    with serve(app) as base, httpx.Client(base_url=base, timeout=20, headers=BROWSER) as http:
        Reader(http).ask(page("ai-agents", "agent-loop", "/docs/foundations/agent-loop"), "What is the turn budget?")
        yield http


def _cookie(value: str) -> dict[str, str]:
    return {"Cookie": f"{COOKIE_NAME}={value}"}


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    assert "Admin token" in response.text and "agent-loop" not in response.text and "<svg" not in response.text


def test_refuses_without_the_token(admin: httpx.Client) -> None:
    _refused(admin.get("/admin"))
    assert admin.get("/admin").headers["www-authenticate"].startswith("Bearer")
    _refused(admin.get("/admin", headers={"Authorization": "Bearer wrong"}))
    _refused(admin.get("/admin", headers={"Authorization": "Basic " + TOKEN}))
    for cookie in ("", "garbage", "1.2", "99999999999." + "0" * 64, "x" * 5000, TOKEN,
                   cookie_value("another-token")):
        _refused(admin.get("/admin", headers=_cookie(cookie)))
    _refused(admin.post("/admin/login", data={"token": "wrong"}))
    _refused(admin.post("/admin/login", content=b"token=" + b"a" * 10_000,
                        headers={"Content-Type": "application/x-www-form-urlencoded"}))
    _refused(admin.post("/admin/login", content=b"&".join(b"f%d=1" % n for n in range(50))))
    _refused(admin.post("/admin/login", content=b"\xff\xfe token=%ZZ"))


def test_bearer_token_shows_the_report_with_charts(admin: httpx.Client) -> None:
    response = admin.get("/admin", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.text.count("<svg") == 3 and "Questions per lesson over time" in response.text
    assert f'href="{SITE_URL}/docs/foundations/agent-loop"' in response.text
    assert "<script" not in response.text and "src=" not in response.text  # nothing loaded from elsewhere
    assert "default-src 'none'" in response.headers["content-security-policy"]
    filtered = admin.get("/admin?since=1d&chapter=retrieval", headers={"Authorization": f"Bearer {TOKEN}"})
    assert filtered.status_code == 200 and "agent-loop" not in filtered.text.split("<h2>Lessons")[1]
    bad = admin.get("/admin?since=soon", headers={"Authorization": f"Bearer {TOKEN}"})
    assert bad.status_code == 400 and "soon" in bad.text and 'href="/admin"' in bad.text


def test_api_clients_get_the_contracts_error_body(admin: httpx.Client) -> None:
    plain = {"Accept": "*/*"}
    refused = admin.get("/admin", headers=plain)
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    assert refused.json()["details"][0]["code"] == "ADMIN_TOKEN_REQUIRED" and "request_id" in refused.json()
    wrong = admin.post("/admin/login", data={"token": "nope"}, headers=plain)
    assert wrong.status_code == 401 and wrong.json()["details"][0]["code"] == "INVALID_ADMIN_TOKEN"
    bad = admin.get("/admin?since=soon", headers={"Authorization": f"Bearer {TOKEN}", **plain})
    assert bad.status_code == 400 and bad.json()["details"][0] == {
        "code": "INVALID_SINCE", "field": "since", "message": bad.json()["details"][0]["message"]}


def test_login_form_sets_a_strict_httponly_cookie_without_the_token(admin: httpx.Client) -> None:
    response = admin.post("/admin/login", data={"token": TOKEN})
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    set_cookie = response.headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=strict" in set_cookie and "Path=/admin" in set_cookie
    assert TOKEN not in set_cookie
    value = response.cookies[COOKIE_NAME]
    shown = admin.get("/admin", headers=_cookie(value))
    assert shown.status_code == 200 and "<svg" in shown.text
    out = admin.post("/admin/logout", headers=_cookie(value))
    assert out.status_code == 303 and 'tutorgpt_admin=""' in out.headers["set-cookie"]


def test_cookie_expires_and_depends_on_the_token() -> None:
    value = cookie_value(TOKEN, now=1000.0)
    assert cookie_valid(value, TOKEN, now=1000.0)
    assert not cookie_valid(value, TOKEN, now=1000.0 + 13 * 3600)
    assert not cookie_valid(value, TOKEN + "x", now=1000.0)
    assert not cookie_valid(value, None, now=1000.0)


def test_without_an_admin_token_nobody_gets_in(tmp_path: Path) -> None:
    app = create_app(database_url=f"sqlite:///{tmp_path / 'm.db'}", book_database_url=f"sqlite:///{tmp_path / 'b.db'}")
    with serve(app) as base, httpx.Client(base_url=base, headers=BROWSER) as http:
        _refused(http.get("/admin"))
        assert "No admin token is set" in http.get("/admin").text
        _refused(http.post("/admin/login", data={"token": ""}))
        _refused(http.get("/admin", headers={"Authorization": "Bearer None"}))


def test_mounted_admin_uses_the_mount_path(tmp_path: Path) -> None:
    tutor = create_app(database_url=f"sqlite:///{tmp_path / 'm.db'}",
                       book_database_url=f"sqlite:///{tmp_path / 'b.db'}", admin_token=TOKEN)
    host = Starlette(routes=[Mount("/api/chatkit", app=tutor)], lifespan=tutor.router.lifespan_context)
    with ExitStack() as stack:
        http = stack.enter_context(httpx.Client(base_url=stack.enter_context(serve(host)), headers=BROWSER))
        login = http.get("/api/chatkit/admin")
        assert login.status_code == 401 and 'action="/api/chatkit/admin/login"' in login.text
        response = http.post("/api/chatkit/admin/login", data={"token": TOKEN})
        assert response.status_code == 303 and response.headers["location"] == "/api/chatkit/admin"
        assert "Path=/api/chatkit/admin" in response.headers["set-cookie"]


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", [1, 2], ids=["light", "dark"])
def test_palette_meets_wcag_aa(scheme: int) -> None:
    colours = {entry[0]: entry[scheme] for entry in PALETTE}
    background = colours.pop("bg")
    for name in ("fg", "muted", "link", "bad"):  # text (labels, values, links)
        assert _contrast(colours[name], background) >= 4.5, name
    for name, colour in colours.items():  # chart marks: non-text contrast
        assert _contrast(colour, background) >= 3.0, name


def test_login_form_works_on_its_own_origin_when_origins_are_restricted(tmp_path: Path) -> None:
    app = create_app(database_url=f"sqlite:///{tmp_path / 'm.db'}", book_database_url=f"sqlite:///{tmp_path / 'b.db'}",
                     admin_token=TOKEN, allowed_origins=["https://book.example.com"])
    with serve(app) as base, httpx.Client(base_url=base) as http:
        own = http.post("/admin/login", data={"token": TOKEN}, headers={"Origin": base})
        assert own.status_code == 303  # a browser sends Origin with a form post, even same-origin
        other = http.post("/admin/login", data={"token": TOKEN}, headers={"Origin": "https://evil.example"})
        assert other.status_code == 403


def test_a_host_identify_callback_marking_an_admin_opens_the_page(tmp_path: Path) -> None:
    def identify(request: Request) -> Identity | None:
        user = request.headers.get("x-host-user")
        return None if user is None else Identity(subject=user, admin=user == "author")

    tutor = create_app(identify=identify, database_url=f"sqlite:///{tmp_path / 'm.db'}",
                       book_database_url=f"sqlite:///{tmp_path / 'b.db'}")
    host = Starlette(routes=[Mount("/api/chatkit", app=tutor)], lifespan=tutor.router.lifespan_context)
    with serve(host) as base, httpx.Client(base_url=base, headers=BROWSER) as http:
        shown = http.get("/api/chatkit/admin", headers={"X-Host-User": "author"})
        assert shown.status_code == 200 and "<svg" in shown.text
        _refused(http.get("/api/chatkit/admin", headers={"X-Host-User": "reader"}))
        _refused(http.get("/api/chatkit/admin"))
