"""Logs an operator can use, and nothing in them that must not be there.

``tutorgpt serve`` runs as a real process with a real model server (the scripted one); its
whole output is kept and read back.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.chatkit import requests as req
from tests.support.servers import cli_process
from tests.web.conftest import Tutor
from tutorgpt_asgi.logs import PACKAGE_LOGGER, configure_logging, flush_logs
from tutorgpt_asgi.sessions.context import PageContext, encode_context_header
from tutorgpt_asgi.testing.openai_server import Failure, Reply, ScriptedModel, running

API_KEY = "sk-proj-LOGSCAN-9f8e7d6c5b4a39281706"
EMAIL = "Quill.Logscan@Example.org"
NAME = "Zebulon Logscanner"
QUESTION = "Why does the PLUGH-XYZZY loop need a budget?"
FOLLOW_UP = "And what about FROBOZZ-QUUX?"
QUOTE = "quoted FNORD-SNARK passage"
ANSWER = "Because BLORPLE-ANSWER loops never end."
PAGE_TITLE = "Page WOMBAT-TITLE"


@pytest.fixture
def model_base_url() -> Iterator[str]:
    model = ScriptedModel(Reply(text=ANSWER, chunks=3))
    model.enqueue(Reply(text=ANSWER, chunks=3), Reply(text="A title"), Failure(401, f"bad key {API_KEY}"))
    with running(model) as base_url:
        yield base_url


def _serve(tmp_path: Path, output: Path, **env: str) -> Iterator[tuple[object, str]]:
    settings = {
        "TUTORGPT_DATABASE_URL": f"sqlite:///{tmp_path / 'tutorgpt.db'}",
        "TUTORGPT_BOOK_DATABASE_URL": f"sqlite:///{tmp_path / 'book.db'}",
        **env,
    }
    with cli_process(["serve"], settings, output=output) as served:
        yield served


def _full_flow(base: str) -> list[str]:
    """Sessions, turns, a refresh, errors of every kind; returns the secrets it was given."""
    with httpx.Client(base_url=base, timeout=30) as http:
        created = http.post("/session", json={
            "student_email": EMAIL, "student_name": NAME, "highlighted_text": QUOTE, "page_title": PAGE_TITLE,
        }).json()
        secret = created["client_secret"]
        bearer = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json",
                  "X-TutorGPT-Context": encode_context_header(PageContext(page_path="/docs/x", page_title=PAGE_TITLE))}
        events = http.post("/", content=req.create(QUESTION, QUOTE), headers=bearer).text
        thread_id = json.loads(events.split("data: ", 2)[1].split("\n", 1)[0])["thread"]["id"]
        http.post("/", content=req.add(thread_id, FOLLOW_UP), headers=bearer)  # the model refuses the key
        http.post("/", content=b"[" * 900 + b"]" * 900, headers=bearer)  # 400
        http.post("/", content=req.list_threads(), headers={"Authorization": "Bearer sk_chatkit_forged"})  # 401
        http.post("/session", json={"student_email": "not-an-email " + EMAIL})  # 400
        http.post("/", content=req.list_threads(), headers={**bearer, "X-TutorGPT-Context": "%%%"})  # bad header
        refreshed = http.post("/session/refresh", headers={"Authorization": f"Bearer {secret}"}).json()
        http.delete("/session", headers={"Authorization": f"Bearer {refreshed['client_secret']}"})
        return [secret, refreshed["client_secret"]]


def test_debug_logs_hold_no_secret_email_or_message_text(tmp_path: Path, model_base_url: str) -> None:
    output = tmp_path / "server.log"
    for _, base in _serve(tmp_path, output, TUTORGPT_LOG_LEVEL="DEBUG", TUTORGPT_LOG_FORMAT="json",
                          TUTORGPT_MODEL="tutor-model", OPENAI_API_KEY=API_KEY, OPENAI_BASE_URL=model_base_url):
        secrets = _full_flow(base)
    logged = output.read_text()
    lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
    assert any(line["message"].startswith("TutorGPT started") for line in lines)
    access = [line for line in lines if line["logger"] == "tutorgpt_asgi.access"]
    assert len(access) >= 8 and {line["status"] for line in access} >= {200, 201, 204, 400, 401}
    assert any(line["student_id"].startswith("stu_") for line in access)
    forbidden = [*secrets, API_KEY, API_KEY[-12:], EMAIL, EMAIL.lower(), NAME, QUESTION, "PLUGH", FOLLOW_UP,
                 "FROBOZZ", QUOTE, "FNORD", ANSWER, "BLORPLE", "WOMBAT"]
    leaked = [text for text in forbidden if text in logged]
    assert leaked == [], f"logged: {leaked}"


def test_the_level_takes_effect_under_serve(tmp_path: Path) -> None:
    """The package logger had no handler: INFO and DEBUG records went nowhere."""
    for level, expect_info in (("INFO", True), ("WARNING", False)):
        output = tmp_path / f"{level}.log"
        for _, base in _serve(tmp_path, output, TUTORGPT_LOG_LEVEL=level):
            httpx.post(base + "/session", json={}, headers={"X-Request-ID": "req-level-check"})
        logged = output.read_text()
        assert ("TutorGPT started" in logged) is expect_info
        assert ("POST /session 201" in logged and "request_id=req-level-check" in logged) is expect_info


def test_a_mounted_app_logs_through_the_hosts_handlers(
    make_tutor, caplog: pytest.LogCaptureFixture
) -> None:
    """A host with logging configured gets the records; TutorGPT adds no handler of its own."""
    tutor: Tutor = make_tutor(log_level="DEBUG")
    package = logging.getLogger("tutorgpt_asgi")
    assert package.level == logging.DEBUG and package.handlers == []
    with caplog.at_level(logging.DEBUG):
        secret = tutor.create_session({}).json()["client_secret"]
        tutor.http.get("/sessions", headers={"Authorization": f"Bearer {secret}", "X-Request-ID": "req-mounted"})
    [record] = [r for r in caplog.records if getattr(r, "request_id", None) == "req-mounted"]
    assert record.name == "tutorgpt_asgi.access" and record.status == 200  # type: ignore[attr-defined]
    assert record.route == "GET /sessions" and record.student_id.startswith("stu_")  # type: ignore[attr-defined]
    assert record.duration_ms >= 0  # type: ignore[attr-defined]


class _RecordingStream:
    """A stderr stand-in that remembers each write and the thread that made it."""

    def __init__(self) -> None:
        self.writes: list[tuple[str, str]] = []

    def write(self, text: str) -> None:
        self.writes.append((threading.current_thread().name, text))

    def flush(self) -> None:
        pass


def test_our_handler_writes_on_its_own_thread_and_drains_on_shutdown(monkeypatch: pytest.MonkeyPatch) -> None:
    """Formatting and the stderr write happened on the event loop: ~13 µs a request at INFO."""
    stream = _RecordingStream()
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.setattr(logging.getLogger(), "handlers", [])  # as under `tutorgpt serve`
    package = logging.getLogger(PACKAGE_LOGGER)
    monkeypatch.setattr(package, "handlers", [])
    monkeypatch.setattr(package, "level", package.level)
    configure_logging("INFO")
    try:
        for number in range(50):
            logging.getLogger("tutorgpt_asgi.access").info("line %d", number)
        flush_logs()
        lines = [text for _, text in stream.writes if "line " in text]
        assert len(lines) == 50 and lines[-1].rstrip().endswith("line 49")
        writers = {thread for thread, _ in stream.writes}
        assert writers and threading.current_thread().name not in writers
        logging.getLogger("tutorgpt_asgi.access").info("after a flush")
        flush_logs()
        assert "after a flush" in stream.writes[-2][1] + stream.writes[-1][1]
    finally:
        for handler in list(package.handlers):
            package.removeHandler(handler)
            handler.close()
