"""The sub-app works three ways: standalone (``tutorgpt serve``), in Starlette, in FastAPI."""

from __future__ import annotations

import gc
from pathlib import Path

import httpx
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.routing import Mount

from tests.support.servers import cli_server, serve
from tutorgpt_asgi import create_app, mount
from tutorgpt_asgi.cli import GC_YOUNG_THRESHOLD, serve_app

CONTRACT_CURL_BODY = {
    "page_path": "/docs/chapter-04/lesson-01-intro",
    "current_chapter": "04-python",
    "current_lesson": "01-intro",
    "student_email": "jane@example.com",
    "learning_level": "intermediate",
}


def _settings(tmp_path: Path) -> dict[str, str]:
    return {
        "database_url": f"sqlite:///{tmp_path / 'main.db'}",
        "book_database_url": f"sqlite:///{tmp_path / 'book.db'}",
    }


def test_standalone_cli_answers_the_contract_curl_example(tmp_path: Path) -> None:
    env = {f"TUTORGPT_{name.upper()}": value for name, value in _settings(tmp_path).items()}
    with cli_server(["serve"], env) as base:
        response = httpx.post(f"{base}/session", json=CONTRACT_CURL_BODY)
    assert response.status_code == 201
    assert set(response.json()) == {"client_secret", "session_id", "expires_at", "student_key"}
    assert (tmp_path / "main.db").exists()


def test_mounted_in_starlette_with_the_composed_lifespan(tmp_path: Path) -> None:
    tutor = create_app(**_settings(tmp_path))
    host = Starlette(routes=[Mount("/api/chatkit", app=tutor)], lifespan=tutor.router.lifespan_context)
    with serve(host) as base:
        assert tutor.state.runtime.started  # the host ran our lifespan at start-up
        response = httpx.post(f"{base}/api/chatkit/session", json=CONTRACT_CURL_BODY)
        assert response.status_code == 201
        assert httpx.get(f"{base}/api/chatkit/health").json() == {"status": "ok", "database": "ok"}
    assert not tutor.state.runtime.started  # and shut it down cleanly


def test_mounted_in_fastapi(tmp_path: Path) -> None:
    tutor = create_app(**_settings(tmp_path))
    host = FastAPI(lifespan=tutor.router.lifespan_context)
    host.mount("/api/chatkit", tutor)
    with serve(host) as base:
        response = httpx.post(f"{base}/api/chatkit/session", json=CONTRACT_CURL_BODY)
        invalid = httpx.post(f"{base}/api/chatkit/session", json={"learning_level": "guru"})
    assert response.status_code == 201
    assert invalid.status_code == 400
    assert invalid.json()["details"][0]["code"] == "INVALID_LEARNING_LEVEL"


def test_a_host_without_our_lifespan_still_works_lazily(tmp_path: Path) -> None:
    tutor = create_app(**_settings(tmp_path))
    host = Starlette(routes=[Mount("/api/chatkit", app=tutor)])
    with serve(host) as base:
        assert not tutor.state.runtime.started
        responses = [httpx.post(f"{base}/api/chatkit/session", json={}) for _ in range(3)]
    assert [r.status_code for r in responses] == [201, 201, 201]
    assert tutor.state.runtime.started


def test_tutorgpt_mount_serves_the_bare_path_without_a_redirect(tmp_path: Path) -> None:
    tutor = create_app(**_settings(tmp_path))
    host = FastAPI(lifespan=tutor.router.lifespan_context)
    mount(host, "/api/chatkit", tutor)
    with serve(host) as base:
        secret = httpx.post(f"{base}/api/chatkit/session", json={}).json()["client_secret"]
        for path in ("/api/chatkit", "/api/chatkit/"):
            response = httpx.post(
                base + path,
                json={"type": "threads.list", "params": {}},
                headers={"Authorization": f"Bearer {secret}"},
            )
            assert response.status_code == 200, (path, response.status_code)
            assert response.json() == {"data": [], "has_more": False}
        plain = Starlette(routes=[Mount("/api/chatkit", app=tutor)])
    with serve(plain) as base:
        redirected = httpx.post(f"{base}/api/chatkit", json={})
    assert redirected.status_code == 307  # why TutorGPTMount exists


def test_the_served_process_collects_garbage_less_often(tmp_path: Path, monkeypatch) -> None:
    for name, value in _settings(tmp_path).items():
        monkeypatch.setenv(f"TUTORGPT_{name.upper()}", value)
    before = gc.get_threshold()
    try:
        app = serve_app()
        assert gc.get_threshold()[0] == GC_YOUNG_THRESHOLD > before[0]
        assert app.state.runtime.settings.database_url.endswith("main.db")
    finally:
        gc.set_threshold(*before)
