"""``python -m bench``: run the benchmark suite and write ``bench/results/latest.{json,md}``."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench import report
from bench.cases import GROUPS
from bench.procs import BenchError, Pinning
from bench.runner import Options, run
from bench.wrk import find_wrk

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _groups(text: str) -> frozenset[str]:
    chosen = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = chosen - set(GROUPS)
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown case(s) {', '.join(sorted(unknown))}; choose from {', '.join(GROUPS)}"
        )
    return chosen


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark TutorGPT against a bare Starlette endpoint in the same run.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="a short run (under a minute): 1 s per case, 2 rounds, fewer streams")
    parser.add_argument("--cases", type=_groups, default=frozenset(GROUPS),
                        help=f"comma-separated groups (default: all): {','.join(GROUPS)}")
    parser.add_argument("--duration", type=float, help="seconds per wrk run (default 8; quick 1)")
    parser.add_argument("--rounds", type=int, help="rounds of alternation (default 5; quick 2)")
    parser.add_argument("--compare", metavar="REF",
                        help="also run the wrk cases on TutorGPT servers of this git commit or tag "
                             "(e.g. before-16), in the same rounds: before and after rows")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR,
                        help="where latest.json and latest.md go (default bench/results)")
    return parser


def options_from(args: argparse.Namespace, workdir: Path) -> Options:
    """The run's sizes: the full defaults, or the quick ones, then explicit overrides."""
    pinning = Pinning.detect()
    if args.quick:
        options = Options(
            duration=1.0, rounds=2, groups=args.cases, workdir=workdir, pinning=pinning, quick=True,
            student_pool=200, chat_sessions=100, latency_turns=20, streams=200, search_pages=500,
            search_queries=200, limiter_seconds=1.0,
        )
    else:
        options = Options(duration=8.0, rounds=5, groups=args.cases, workdir=workdir,
                          pinning=pinning, quick=False)
    options = replace(options, compare=args.compare)
    if args.duration is not None or args.rounds is not None:
        if (args.duration is not None and args.duration < 1) or (args.rounds is not None and args.rounds < 1):
            raise BenchError("--duration must be at least 1 second and --rounds at least 1")
        options = replace(options, duration=args.duration or options.duration,
                          rounds=args.rounds or options.rounds)
    return options


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        find_wrk()
        machine = report.machine()
        with tempfile.TemporaryDirectory(prefix="tutorgpt-bench-") as tmp:
            options = options_from(args, Path(tmp))
            results = run(options)
    except (BenchError, TimeoutError, httpx.HTTPError) as error:
        print(f"bench: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    results["finished_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["machine"] = machine
    results["config"] = {
        "quick": options.quick, "duration": options.duration, "rounds": options.rounds,
        "connections": options.connections, "groups": sorted(options.groups),
        "server_cores": options.pinning.server, "load_cores": options.pinning.load,
        "compare": options.compare,
    }
    json_path, md_path = report.write(results, args.output)
    print()
    print(md_path.read_text())
    print(f"written: {json_path} and {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
