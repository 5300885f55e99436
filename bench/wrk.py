"""Running ``wrk`` with one of our Lua scripts and reading its summary line.

The Lua scripts print one ``BENCH_JSON {...}`` line from wrk's ``done()`` hook, so nothing
here parses wrk's human-readable output (whose units change with magnitude).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.procs import BenchError, Pinning

LUA_DIR = Path(__file__).resolve().parent / "lua"

INSTALL_HINT = (
    "wrk is not installed. Install it with `sudo apt-get install wrk` (Debian/Ubuntu) or "
    "`brew install wrk` (macOS), then run `python -m bench` again."
)

#: Seconds a wrk run may take beyond its --duration before it is killed.
GRACE_SECONDS = 30


@dataclass(frozen=True, slots=True)
class WrkResult:
    """One wrk run: completed requests, throughput, latency percentiles (ms) and errors."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def find_wrk() -> str:
    """The path of ``wrk``, or a :class:`BenchError` that says how to install it."""
    path = shutil.which("wrk")
    if path is None:
        raise BenchError(INSTALL_HINT)
    return path


def parse_summary(output: str) -> WrkResult:
    """The result from the ``BENCH_JSON`` line that ``lua/common.lua`` prints."""
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line[len("BENCH_JSON ") :])
            latency = data["latency_us"]
            return WrkResult(
                requests=int(data["requests"]),
                seconds=data["duration_us"] / 1e6,
                p50_ms=latency["p50"] / 1000,
                p90_ms=latency["p90"] / 1000,
                p99_ms=latency["p99"] / 1000,
                max_ms=latency["max"] / 1000,
                errors={key: int(value) for key, value in data["errors"].items()},
            )
    raise BenchError(f"wrk printed no summary line:\n{output[-2000:]}")


def run_wrk(
    url: str,
    script: str,
    script_args: Sequence[str] = (),
    *,
    duration: float,
    connections: int,
    threads: int,
    pinning: Pinning,
    timeout_s: int = 10,
) -> WrkResult:
    """Drive ``url`` for ``duration`` seconds with ``lua/<script>``; raise if wrk fails."""
    command = [
        find_wrk(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s",
        f"--timeout={timeout_s}s", "--latency", "-s", str(LUA_DIR / script), url,
    ]
    if script_args:
        command += ["--", *script_args]
    try:
        completed = subprocess.run(
            pinning.wrap(command, pinning.load), capture_output=True, text=True,
            timeout=duration + GRACE_SECONDS, check=False,
        )
    except subprocess.TimeoutExpired as expired:
        raise BenchError(f"wrk did not finish within {duration + GRACE_SECONDS:.0f} s") from expired
    if completed.returncode != 0:
        raise BenchError(f"wrk failed ({completed.returncode}): {completed.stderr[-2000:]}")
    return parse_summary(completed.stdout)
