"""A long report shows a progress bar on a terminal, and nothing extra when stderr is a pipe."""

from __future__ import annotations

import fcntl
import os
import pty
import sqlite3
import struct
import subprocess
import sys
import termios
from pathlib import Path

from tests.analytics.support import run_report
from tests.support.servers import REPO
from tutorgpt_asgi.analytics.cli import PROGRESS_MIN_RECORDS
from tutorgpt_asgi.clock import stored, utc_now
from tutorgpt_asgi.store.migrations import apply_migrations


def _many_records(db: Path, count: int) -> None:
    connection = sqlite3.connect(db, isolation_level=None)
    apply_migrations(connection)
    now = stored(utc_now())
    connection.execute("BEGIN")
    connection.execute("INSERT INTO students (id, created_at, updated_at) VALUES ('s', ?, ?)", (now, now))
    connection.execute("INSERT INTO threads (id, student_id, created_at, updated_at) VALUES ('t', 's', ?, ?)",
                       (now, now))
    connection.executemany(
        "INSERT INTO turn_records (item_id, thread_id, student_id, lesson_id, created_at) VALUES (?, 't', 's', ?, ?)",
        ((f"m{n:06d}", f"l{n % 7}", now) for n in range(count)),
    )
    connection.execute("COMMIT")
    connection.close()


def test_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    db = tmp_path / "main.db"
    _many_records(db, PROGRESS_MIN_RECORDS + 1)
    piped = run_report(db, "--format", "json")
    assert piped.returncode == 0 and piped.stderr == ""
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a new pty is 0x0
    process = subprocess.Popen(
        [sys.executable, "-m", "tutorgpt_asgi.cli", "report", "--database-url", f"sqlite:///{db}", "--format", "csv"],
        stdout=subprocess.DEVNULL, stderr=terminal, cwd=REPO,
    )
    os.close(terminal)
    shown = b""
    try:
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the report exited and closed the terminal
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(main)
        assert process.wait(timeout=120) == 0
    assert b"Reading" in shown and b"record" in shown and str(PROGRESS_MIN_RECORDS + 1).encode() in shown
