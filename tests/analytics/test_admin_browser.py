"""Headless Chromium renders GET /admin with its charts, after signing in on the login form.

Readers ask questions over real HTTP (the offline tutor); some records are then dated back a few
days so the chart over time has a shape. The browser part is ``admin_browser.mjs`` (Debian's
Chromium through playwright-core). Set ``TUTORGPT_SCREENSHOT_DIR`` to keep the screenshots
(``docs/images/admin-*.png`` were made that way).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

import httpx

from tests.analytics.support import BOOK_DOCS, SITE_URL, Reader, page
from tests.support.servers import REPO, serve
from tutorgpt_asgi import create_app
from tutorgpt_asgi.clock import parse_stored, stored

TOKEN = "browser-admin-token-0123456789"
LESSONS = [
    (page("ai-agents", "agent-loop", "/docs/foundations/agent-loop"),
     "What is the turn budget of an agent in this book?"),
    (page("ai-agents", "prompts", "/docs/foundations/prompts"),
     "How much of the context window does the tutor reserve for the answer?"),
    (page("retrieval", "chunking", "/docs/retrieval/chunking"), "What chunk overlap does this book use?"),
    (page("python-for-agents", "http-apis", "/docs/python-for-agents/http-apis"),
     "How many times is an HTTP call retried, and with what backoff?"),
]


def _ask_around(http: httpx.Client) -> None:
    """Four readers: most ask about the first lessons, some follow up, some rate."""
    for number in range(4):
        reader = Reader(http)
        for where, question in LESSONS[: 4 - number]:
            answer = reader.ask(where, question)
            if number % 2 == 0:
                reader.ask(where, f"{question} Please explain it once more.", thread=answer["thread_id"])
            reader.rate(answer, "negative" if (number + len(question)) % 3 == 0 else "positive")
    Reader(http).ask(LESSONS[2][0], "Who won the 1998 football world cup?")
    highlight = page("ai-agents", "agent-loop", "/docs/foundations/agent-loop",
                     highlighted_text="for _turn in range(TURN_BUDGET):", highlight_anchor="why-the-loop-needs-a-limit")
    Reader(http).ask(highlight, "What does this line do?")


def _spread_over_days(db: Path) -> None:
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute("SELECT item_id, created_at FROM turn_records ORDER BY created_at").fetchall()
        for index, (item_id, created_at) in enumerate(rows):
            moved = parse_stored(created_at) - timedelta(days=index % 6)
            connection.execute("UPDATE turn_records SET created_at = ? WHERE item_id = ?", (stored(moved), item_id))
        connection.commit()
    finally:
        connection.close()


def test_chromium_renders_the_admin_page_with_its_charts(tmp_path: Path) -> None:
    db = tmp_path / "main.db"
    app = create_app(database_url=f"sqlite:///{db}", book_database_url=f"sqlite:///{tmp_path / 'book.db'}",
                     book=str(BOOK_DOCS), site_url=SITE_URL, admin_token=TOKEN)
    shots = Path(os.environ.get("TUTORGPT_SCREENSHOT_DIR", tmp_path))
    with serve(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        _ask_around(http)
        _spread_over_days(db)
        done = subprocess.run(
            ["node", str(Path(__file__).with_name("admin_browser.mjs")), f"{base}/admin", TOKEN, str(shots)],
            cwd=REPO, capture_output=True, text=True, timeout=90,
        )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    for scheme in ("light", "dark"):
        view = seen[scheme]
        assert view["loginStatus"] == 401  # the page itself is refused until the form is used
        assert view["cookie"]["httpOnly"] and view["cookie"]["sameSite"] == "Strict"
        assert not view["cookieVisibleToScripts"] and view["foreign"] == []
        over_time, thumbs, follow_ups = view["charts"]
        assert over_time["title"] == "Questions per lesson over time"
        assert over_time["lines"] == 4 and over_time["dots"] == 4 * 8  # 4 lessons x 8 days (--since 7d and today)
        assert thumbs["bars"] >= 1 and follow_ups["bars"] == 4
        assert all(chart["width"] > 600 and chart["height"] > 100 for chart in view["charts"])
        assert view["lessonRows"] == 4
        assert f"{SITE_URL}/docs/foundations/agent-loop#why-the-loop-needs-a-limit" in view["passageLinks"]
        assert f"{SITE_URL}/docs/foundations/agent-loop" in view["lessonLinks"]
        assert (shots / f"admin-{scheme}.png").stat().st_size > 10_000
    assert seen["light"]["background"] == "rgb(255, 255, 255)"
    assert seen["dark"]["background"] == "rgb(21, 23, 28)"
    assert seen["light"]["barFill"] != seen["dark"]["barFill"]
