"""kill -9 under load: every session the server acknowledged (201) survives the restart.

The server is the real ``tutorgpt serve`` process. Clients create sessions as fast as they can;
the process is killed with SIGKILL mid-load (no shutdown, no final flush), started again on the
same database file, and every acknowledged client secret must still open its session.
"""

from __future__ import annotations

import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.support.servers import cli_process, free_port

CLIENTS = 8
#: Kill once this many sessions were acknowledged (while the clients keep sending).
KILL_AFTER = 150


def _create_until_gone(base: str, acknowledged: list[str], lock: threading.Lock, stop: threading.Event) -> int:
    """Create sessions until the server dies; returns how many requests failed in flight."""
    failures = 0
    with httpx.Client(base_url=base, timeout=10) as client:
        while not stop.is_set():
            try:
                response = client.post("/session", json={"student_name": "Load"})
            except httpx.HTTPError:
                failures += 1
                if stop.wait(0.05):
                    break
                continue
            if response.status_code == 201:
                with lock:
                    acknowledged.append(response.json()["client_secret"])
    return failures


def test_every_acknowledged_session_survives_kill_9(tmp_path: Path) -> None:
    env = {
        "TUTORGPT_DATABASE_URL": f"sqlite:///{tmp_path / 'tutorgpt.db'}",
        "TUTORGPT_BOOK_DATABASE_URL": f"sqlite:///{tmp_path / 'book.db'}",
        "TUTORGPT_RATE_LIMIT": "1000000/minute",
        "TUTORGPT_LOG_LEVEL": "WARNING",
    }
    port = free_port()
    acknowledged: list[str] = []
    lock, stop = threading.Lock(), threading.Event()
    with cli_process(["serve"], env, port=port, output=tmp_path / "first.log") as (process, base):
        with ThreadPoolExecutor(CLIENTS) as pool:
            runs = [pool.submit(_create_until_gone, base, acknowledged, lock, stop) for _ in range(CLIENTS)]
            while len(acknowledged) < KILL_AFTER and process.poll() is None:
                stop.wait(0.01)
            process.send_signal(signal.SIGKILL)  # mid-load: requests are in flight right now
            assert process.wait(timeout=10) == -signal.SIGKILL
            stop.set()
            in_flight_failures = sum(run.result() for run in runs)
    with lock:
        survivors_expected = list(acknowledged)
    assert len(survivors_expected) >= KILL_AFTER and in_flight_failures >= 1

    with cli_process(["serve"], env, port=port, output=tmp_path / "second.log") as (_, base):
        with httpx.Client(base_url=base, timeout=10) as client:
            lost = [
                secret for secret in survivors_expected
                if client.get("/sessions", headers={"Authorization": f"Bearer {secret}"}).status_code != 200
            ]
    assert lost == [], f"{len(lost)} of {len(survivors_expected)} acknowledged sessions were lost"
