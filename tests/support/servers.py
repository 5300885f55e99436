"""Real HTTP for tests: an ASGI app on uvicorn in a thread, or the ``tutorgpt`` CLI as a process.

Tests talk to these over loopback TCP with httpx, exactly as a browser or proxy would.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from starlette.types import ASGIApp

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: ASGIApp, *, lifespan: str = "on", port: int | None = None) -> Iterator[str]:
    """Run ``app`` on uvicorn in a background thread; yield its base URL; stop it cleanly.

    ``port`` is for an app that must know its own URL before it serves (sign-in's redirect URI).
    """
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port or free_port(), lifespan=lifespan, log_level="warning",
        access_log=False, proxy_headers=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def cli_server(args: Sequence[str], env: dict[str, str], *, ready_path: str = "/health") -> Iterator[str]:
    """Run ``tutorgpt serve`` (or another subcommand that serves) as a real process."""
    with cli_process(args, env, ready_path=ready_path) as (_, base):
        yield base


@contextmanager
def cli_process(
    args: Sequence[str],
    env: dict[str, str],
    *,
    ready_path: str = "/health",
    output: Path | None = None,
    port: int | None = None,
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """:func:`cli_server`, also yielding the process (kill tests signal it).

    ``output`` keeps everything the process prints (its logs) in that file; ``port`` serves on
    a given port (a restart on the same address).
    """
    port = port or free_port()
    log = output.open("a") if output is not None else None
    process = subprocess.Popen(
        [sys.executable, "-m", "tutorgpt_asgi.cli", *args, "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **env},
        cwd=REPO,
        stdout=log or subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # start-up takes seconds on a loaded CI machine
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {process.stdout.read() if process.stdout else ''}")
            try:
                if httpx.get(base + ready_path, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become ready")
            time.sleep(0.1)
        yield process, base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log is not None:
            log.close()
