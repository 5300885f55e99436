"""Server processes for the benchmarks: start on a free loopback port, pin to a core, measure, stop.

Why subprocesses and not in-process servers: the load generator (``wrk``) and our measuring
client must not share a GIL or an event loop with the server, and the production command
(``tutorgpt serve``) is what we want to measure. Peak RSS comes from the kernel's own high-water
mark (``VmHWM`` in ``/proc/<pid>/status``), summed over the process and its children (uvicorn's
workers), so no sampling can miss a short peak.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]

#: How long a server may take to answer its readiness probe.
STARTUP_TIMEOUT = 90.0  # two workers each import the stack; on a shared machine that took over 30 s
#: How long a server may take to exit after SIGTERM before it is killed.
SHUTDOWN_TIMEOUT = 10.0


class BenchError(RuntimeError):
    """A benchmark could not run (a server did not start, a tool is missing)."""


@dataclass(frozen=True, slots=True)
class Pinning:
    """Which cores the server and the load generator run on (``None``: not pinned)."""

    server: str | None
    load: str | None

    @classmethod
    def detect(cls) -> Pinning:
        """Server on core 0 and load on core 1 when there are two cores and ``taskset``."""
        cores = len(os.sched_getaffinity(0))
        if cores >= 2 and shutil.which("taskset"):
            return cls(server="0", load="1")
        return cls(server=None, load=None)

    def wrap(self, command: Sequence[str], cores: str | None) -> list[str]:
        """``command`` under ``taskset -c cores`` when pinning is on."""
        if cores is None:
            return list(command)
        return ["taskset", "-c", cores, *command]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    """Direct children of ``pid``, from each process's parent id in ``/proc/*/stat``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces: split after the last ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (bounded: a tree of at most 64 processes)."""
    tree: list[int] = []
    pending = [pid]
    while pending and len(tree) < 64:
        current = pending.pop()
        tree.append(current)
        pending.extend(_children(current))
    return tree


def _status_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def peak_rss_mb(pid: int) -> float:
    """The summed peak resident set (``VmHWM``) of ``pid`` and its descendants, in MB (10^6 B)."""
    return sum(_status_kib(member, "VmHWM") for member in process_tree(pid)) * 1024 / 1e6


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by ``pid`` and its descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


@dataclass
class Server:
    """A running server subprocess and where to reach it."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def peak_rss_mb(self) -> float:
        return peak_rss_mb(self.process.pid)

    def stop(self) -> None:
        """SIGTERM the server's process group (it leads its own), then SIGKILL if it lingers."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=SHUTDOWN_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=SHUTDOWN_TIMEOUT)


def start_server(
    name: str,
    module_args: Sequence[str],
    *,
    env: Mapping[str, str],
    cores: str | None,
    pinning: Pinning,
    log_dir: Path,
    ready_path: str,
    cwd: Path = REPO,
) -> Server:
    """Start ``python -m <module_args> --port <free>`` in ``cwd`` and wait until ``ready_path``
    answers 200.

    The server leads its own process group, so stopping it also stops uvicorn's workers.
    """
    port = free_port()
    log_path = log_dir / f"{name}.log"
    command = pinning.wrap([sys.executable, "-m", *module_args, "--port", str(port)], cores)
    full_env = {**os.environ, **env}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, env=full_env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, process, port, log_path, dict(env))
    deadline = time.monotonic() + STARTUP_TIMEOUT
    with httpx.Client(timeout=2.0) as client:
        while True:
            if process.poll() is not None:
                raise BenchError(f"{name} exited at start-up:\n{log_path.read_text()[-2000:]}")
            try:
                if client.get(server.base_url + ready_path).status_code == 200:
                    return server
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                server.stop()
                raise BenchError(f"{name} did not answer {ready_path} within {STARTUP_TIMEOUT:.0f} s")
            time.sleep(0.1)
