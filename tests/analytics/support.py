"""A reader over real HTTP: a session, questions asked from a page, thumbs on answers; and the
``tutorgpt report`` command run as a real process on the served app's database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.chatkit import requests as req
from tests.chatkit.conformance import parse_sse
from tests.support.servers import REPO
from tutorgpt_asgi.sessions.context import PageContext, encode_context_header

BOOK_DOCS = REPO / "example-site" / "docs"
SITE_URL = "https://book.example"


def page(chapter: str, lesson: str, path: str, **extra: str) -> PageContext:
    """The reader's place in the book, as the plugin reports it."""
    return PageContext(page_path=path, current_chapter=chapter, current_lesson=lesson, **extra)


class Reader:
    """One student's session; every question carries the page the reader is on."""

    def __init__(self, http: httpx.Client) -> None:
        created = http.post("/session", json={})
        assert created.status_code == 201, created.text
        self.http = http
        self.secret = created.json()["client_secret"]

    def ask(self, where: PageContext, text: str, thread: str | None = None) -> dict[str, Any]:
        """Ask ``text`` (in a new thread unless ``thread``); the finished answer item."""
        body = req.create(text) if thread is None else req.add(thread, text)
        response = self.http.post("/", content=body, headers={
            "Authorization": f"Bearer {self.secret}", "Content-Type": "application/json",
            "X-TutorGPT-Context": encode_context_header(where),
        })
        assert response.status_code == 200, response.text
        events = parse_sse(response.content)
        assert not [e for e in events if e["type"] == "error"], events
        return next(e["item"] for e in events
                    if e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message")

    def rate(self, answer: dict[str, Any], kind: str) -> None:
        response = self.http.post("/", content=req.feedback(answer["thread_id"], [answer["id"]], kind),  # type: ignore[arg-type]
                                  headers={"Authorization": f"Bearer {self.secret}",
                                           "Content-Type": "application/json"})
        assert response.status_code == 200, response.text


def run_report(db_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``tutorgpt report`` as a process, on the given database."""
    return subprocess.run(
        [sys.executable, "-m", "tutorgpt_asgi.cli", "report", "--database-url", f"sqlite:///{db_path}", *args],
        env={**os.environ, "TUTORGPT_SITE_URL": SITE_URL, **env}, cwd=REPO,
        capture_output=True, text=True, timeout=60,
    )


def report_json(db_path: Path, *args: str, **env: str) -> dict[str, Any]:
    done = run_report(db_path, "--format", "json", *args, **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def by_lesson(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{s['chapter_id']}/{s['lesson_id']}": s for s in report["lessons"]}
