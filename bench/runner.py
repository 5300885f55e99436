"""The benchmark run: start the servers, prepare data, alternate the cases with the bare endpoint.

The order inside a round is fixed (bare first, then every wrk case) and every round repeats
it, so slow drifts of the shared machine hit the bare endpoint and the cases alike; a case's
ratio is computed per round against that round's bare run, and the summary is the median.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import secrets as random_numbers
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import cases as case_defs
from bench import client_cases, compare, limits_redis, ratelimit_cpu
from bench import protocol_client as pc
from bench import shared as shared_db
from bench.procs import BenchError, Pinning, Server, cpu_seconds, start_server
from bench.wrk import WrkResult, run_wrk


@dataclass(frozen=True, slots=True)
class Options:
    """Sizes and durations of one run (``--quick`` shrinks them)."""

    duration: float
    rounds: int
    groups: frozenset[str]
    workdir: Path
    pinning: Pinning
    quick: bool
    connections: int = 64
    wrk_threads: int = 1
    student_pool: int = 1000
    chat_sessions: int = 500
    thread_items: int = 50
    latency_turns: int = 100
    streams: int = 1000
    search_pages: int = 2000
    search_queries: int = 1000
    limiter_seconds: float = 5.0
    #: ``--compare REF``: also run the wrk cases on servers of this commit, in the same rounds.
    compare: str | None = None


@dataclass
class RunLog:
    """Progress lines on the console, with the elapsed time."""

    started: float = field(default_factory=time.monotonic)

    def __call__(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s] {message}", flush=True)


class Servers:
    """The servers of one run, started on demand and all stopped at the end."""

    def __init__(self, options: Options, log: RunLog) -> None:
        self.options = options
        self.log = log
        self.running: dict[str, Server] = {}
        self.next_number: dict[str, int] = {}
        # Client addresses (and with them Redis keys) start at a random number per run, so two
        # runs on one Redis within a minute do not share limit windows.
        self.first_number = random_numbers.randbelow(1 << 24)

    def start(self, spec: case_defs.ServerSpec) -> Server:
        if spec.name not in self.running:
            self.log(f"starting {spec.name} (cores {spec.cores or 'any'})")
            self.running[spec.name] = start_server(
                spec.name, spec.module_args, env=spec.env, cores=spec.cores,
                pinning=self.options.pinning, log_dir=self.options.workdir,
                ready_path=spec.ready_path, cwd=spec.cwd,
            )
            self.next_number[spec.name] = self.first_number
        return self.running[spec.name]

    def numbers(self, name: str, used: int) -> int:
        """The first unused request number on ``name``; reserve ``used`` more after it."""
        first = self.next_number[name]
        self.next_number[name] = first + used
        return first

    def stop_all(self) -> None:
        for server in reversed(list(self.running.values())):
            server.stop()
        self.running.clear()


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def _wrk_row(results: list[WrkResult], rss: float, cpu: list[float]) -> dict[str, Any]:
    return {
        "rps": _median([r.rps for r in results]),
        "p50_ms": _median([r.p50_ms for r in results]),
        "p99_ms": _median([r.p99_ms for r in results]),
        "errors": sum(r.error_count for r in results),
        "peak_rss_mb": round(rss, 1),
        "server_cpu_pct": _median(cpu),
        "runs": [{"rps": round(r.rps, 1), "p50_ms": r.p50_ms, "p99_ms": r.p99_ms,
                  "errors": r.errors} for r in results],
    }


class Run:
    """One benchmark run; :meth:`execute` returns the results dict that the report renders."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.log = RunLog()
        self.servers = Servers(options, self.log)
        self.databases = shared_db.BenchDatabases()
        self.results: dict[str, Any] = {"cases": {}, "notes": []}
        self.redis_url = limits_redis.limits_url()
        self.variants = [case_defs.THIS_TREE]
        pin = options.pinning
        self.load_cores = pin.load
        self.all_cores = f"{pin.server},{pin.load}" if pin.server and pin.load else None

    # --- helpers -------------------------------------------------------------------------

    def note(self, text: str) -> None:
        self.log(text)
        self.results["notes"].append(text)

    def wrk(self, case: case_defs.WrkCase | None, server: Server, path: str, script: str,
            args: Callable[[int], list[str]], duration: float) -> tuple[WrkResult, float]:
        """One wrk run; returns its result and the server's CPU use (% of one core)."""
        reserve = 1_000_000  # request numbers one run may use (addresses wrap after 16 M)
        offset = self.servers.numbers(server.name, reserve)
        cpu_before, wall_before = cpu_seconds(server.process.pid), time.monotonic()
        result = run_wrk(
            server.base_url + path, script, args(offset), duration=duration,
            connections=self.options.connections, threads=self.options.wrk_threads,
            pinning=self.options.pinning,
        )
        cpu = 100 * (cpu_seconds(server.process.pid) - cpu_before) / (time.monotonic() - wall_before)
        label = case.key if case else "bare"
        self.log(f"  {label:<22} {result.rps:9.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
                 f"p99 {result.p99_ms:7.2f} ms  errors {result.error_count}  server CPU {cpu:4.0f}%")
        return result, cpu

    # --- preparation ---------------------------------------------------------------------

    def _prepare_sessions(self) -> list[case_defs.WrkCase]:
        """One and two workers per variant (two with Redis limits), and the naive build."""
        opts = self.options
        specs = [case_defs.naive_server(opts.workdir, opts.pinning.server),
                 case_defs.session_server(1, opts.workdir, opts.pinning.server, self.redis_url, redis=True)]
        selected = case_defs.naive_cases(opts.wrk_threads, opts.student_pool)
        for variant in self.variants:
            selected += case_defs.session_cases(opts.wrk_threads, opts.student_pool, variant)
            for workers in (1, 2):
                cores = opts.pinning.server if workers == 1 else self.all_cores
                specs.append(case_defs.session_server(workers, opts.workdir, cores, self.redis_url, variant))
        # Between the one- and two-worker rows: what Redis limits alone cost one worker.
        after = next(i for i, case in enumerate(selected) if case.key == "session_existing_1w") + 1
        selected.insert(after, case_defs.redis_one_worker_case(opts.wrk_threads, opts.student_pool))
        for spec in specs:
            server = self.servers.start(spec)
            self.log(f"creating {opts.student_pool} existing students on {server.name}")
            asyncio.run(self.create_sessions(server.base_url, opts.student_pool, prefix="student"))
        return selected

    async def create_sessions(self, base_url: str, count: int, *, prefix: str,
                              first: int = 0) -> list[str]:
        async with httpx.AsyncClient(timeout=pc.REQUEST_TIMEOUT) as client:
            return await asyncio.wait_for(
                pc.create_sessions(client, base_url, count, first=first, prefix=prefix,
                                   address_offset=self.servers.first_number), 300
            )

    def chat_server(self, variant: case_defs.Variant = case_defs.THIS_TREE) -> Server:
        model = self.servers.start(case_defs.model_server("model", self.load_cores, chunks=8,
                                                          delay=0.0))
        spec = case_defs.tutorgpt_server(
            f"chat{variant.suffix}", self.options.workdir, 1, self.options.pinning.server, variant.source,
            TUTORGPT_MODEL="bench-model", OPENAI_BASE_URL=model.base_url + "/v1",
            OPENAI_API_KEY="bench-key", TUTORGPT_MESSAGE_RATE_LIMIT="600/minute",
            TUTORGPT_MESSAGE_RATE_LIMIT_PER_IP="100000000/minute",  # all load comes from one address
        )
        return self.servers.start(spec)

    def _prepare_chat(self, variant: case_defs.Variant) -> list[case_defs.WrkCase]:
        opts = self.options
        server = self.chat_server(variant)
        self.log(f"creating {opts.chat_sessions} chat sessions on {server.name}")
        secrets = asyncio.run(self.create_sessions(server.base_url, opts.chat_sessions,
                                                   prefix="chat"))
        secrets_file = opts.workdir / f"{server.name}-secrets.txt"
        secrets_file.write_text("\n".join(secrets) + "\n")
        body_file = opts.workdir / "threads-create.json"
        body_file.write_bytes(pc.create_thread_body(client_cases.QUESTION))
        return [case_defs.protocol_case(
            f"chat_turn{variant.suffix}", "chat",
            f"ChatKit turn (threads.create, streamed answer), 1 worker{variant.label}",
            secrets_file, body_file, opts.wrk_threads, server=server.name,
        )]

    def _prepare_shared(self, variant: case_defs.Variant) -> list[case_defs.WrkCase]:
        """POST /session and a chat turn on PostgreSQL + Redis, one and two workers (issue 15)."""
        opts = self.options
        model = self.servers.start(case_defs.model_server("model", self.load_cores, chunks=8, delay=0.0))
        body_file = opts.workdir / "threads-create.json"
        body_file.write_bytes(pc.create_thread_body(client_cases.QUESTION))
        selected = []
        for workers in (1, 2):
            cores = opts.pinning.server if workers == 1 else self.all_cores
            database_url = self.databases.create()
            spec = case_defs.shared_server(workers, opts.workdir, cores, database_url, self.redis_url,
                                           model.base_url, variant)
            server = self.servers.start(spec)
            self.log(f"creating {opts.chat_sessions} chat sessions on {server.name}")
            secrets = asyncio.run(self.create_sessions(server.base_url, opts.chat_sessions, prefix="shared"))
            secrets_file = opts.workdir / f"{server.name}-secrets.txt"
            secrets_file.write_text("\n".join(secrets) + "\n")
            plural = "s" if workers > 1 else ""
            selected.append(case_defs.WrkCase(
                key=f"shared_session_{workers}w{variant.suffix}", group="shared",
                label=f"POST /session on PostgreSQL + Redis, new student each time, {workers} worker{plural}"
                      f"{variant.label}",
                server=server.name, path="/session", script="session.lua",
                args=case_defs._session_args("new", opts.wrk_threads, opts.student_pool),
            ))
            selected.append(case_defs.protocol_case(
                f"shared_chat_{workers}w{variant.suffix}", "shared",
                f"ChatKit turn on PostgreSQL + Redis, {workers} worker{plural}{variant.label}",
                secrets_file, body_file, opts.wrk_threads, server=server.name,
            ))
            if workers == 1:
                selected.append(self._thread_case(server, variant, "shared_get_by_id_50", "shared",
                                                  "on PostgreSQL + Redis, 1 worker"))
        return selected

    def _scaling(self) -> None:
        """2-worker over 1-worker throughput per round, as ratios in the same run."""
        cases = self.results["cases"]
        for name, variant in [(name, variant) for variant in self.variants for name in ("session", "chat")]:
            one = cases.get(f"shared_{name}_1w{variant.suffix}")
            two = cases.get(f"shared_{name}_2w{variant.suffix}")
            if not one or not two:
                continue
            per_round = [b["rps"] / a["rps"] for a, b in zip(one["runs"], two["runs"], strict=True) if a["rps"]]
            row = {"scaling": _median(per_round), "scaling_by_round": [round(v, 3) for v in per_round],
                   "p99_2w_ms": two["p99_ms"]}
            two["targets"] = [case_defs.judge(case_defs.SCALING_TARGET, row)]
            two["scaling"] = row["scaling"]
            self.note(f"{name} on PostgreSQL + Redis{variant.label}: 2 workers / 1 worker = {row['scaling']} "
                      f"(rounds {row['scaling_by_round']}), p99 at 2 workers {two['p99_ms']} ms")

    def _prepare_thread(self, variant: case_defs.Variant) -> list[case_defs.WrkCase]:
        return [self._thread_case(self.chat_server(variant), variant, "get_by_id_50", "thread",
                                  "1 worker")]

    def _thread_case(self, server: Server, variant: case_defs.Variant, key: str, group: str,
                     where: str) -> case_defs.WrkCase:
        """``threads.get_by_id`` of a ``thread_items``-item thread built on ``server`` by chat turns."""
        opts = self.options
        secret, thread_id, items = asyncio.run(self._build_thread(server.base_url))
        if variant == case_defs.THIS_TREE and group == "thread":
            self.results["thread_items"] = items
        if items < opts.thread_items:
            self.note(f"threads.get_by_id returned {items} items for a {opts.thread_items}-item "
                      f"thread{variant.label} (the server pages the thread)")
        secrets_file = opts.workdir / f"{key}-secret{variant.suffix}.txt"
        secrets_file.write_text(secret + "\n")
        body_file = opts.workdir / f"{key}{variant.suffix}.json"
        body_file.write_bytes(pc.get_thread_body(thread_id))
        targets = (case_defs.THREAD_TARGET,) if variant == case_defs.THIS_TREE and group == "thread" else ()
        return case_defs.protocol_case(
            f"{key}{variant.suffix}", group,
            f"threads.get_by_id, {opts.thread_items}-item thread, {where}{variant.label}",
            secrets_file, body_file, opts.wrk_threads, targets, server=server.name,
        )

    async def _build_thread(self, base_url: str) -> tuple[str, str, int]:
        """A session and its thread of ``thread_items`` items; the secret, the id, items returned."""
        async with httpx.AsyncClient(timeout=pc.REQUEST_TIMEOUT) as client:
            [secret] = await pc.create_sessions(client, base_url, 1, first=900_000, prefix="thread",
                                                address_offset=self.servers.first_number)
            thread_id = await asyncio.wait_for(
                pc.build_thread(client, base_url, secret, self.options.thread_items), 300
            )
            thread = await pc.post_json(client, base_url, secret, pc.get_thread_body(thread_id))
        return secret, thread_id, len(thread.get("items", {}).get("data", []))

    # --- the alternating wrk rounds ------------------------------------------------------

    def _rounds(self, wrk_cases: list[case_defs.WrkCase]) -> None:
        opts = self.options
        if not wrk_cases:
            return
        bare = self.servers.start(case_defs.baseline_server(opts.pinning.server))
        if not opts.quick:
            self.log("warm-up (1 s each, not counted)")
            self.wrk(None, bare, "/", "baseline.lua", lambda offset: [], 1)
            for case in wrk_cases:
                self.wrk(case, self.servers.running[case.server], case.path, case.script,
                         case.args, 1)
        bare_runs: list[WrkResult] = []
        bare_cpu: list[float] = []
        runs: dict[str, list[WrkResult]] = {case.key: [] for case in wrk_cases}
        cpu: dict[str, list[float]] = {case.key: [] for case in wrk_cases}
        ratios: dict[str, list[float]] = {case.key: [] for case in wrk_cases}
        for number in range(opts.rounds):
            self.log(f"round {number + 1}/{opts.rounds}")
            base, base_cpu = self.wrk(None, bare, "/", "baseline.lua", lambda offset: [],
                                      opts.duration)
            bare_runs.append(base)
            bare_cpu.append(base_cpu)
            for case in wrk_cases:
                result, used = self.wrk(case, self.servers.running[case.server], case.path,
                                        case.script, case.args, opts.duration)
                runs[case.key].append(result)
                cpu[case.key].append(used)
                if base.rps > 0:
                    ratios[case.key].append(result.rps / base.rps)
        self.results["bare"] = {"label": "bare Starlette, constant JSON (the ceiling)",
                                **_wrk_row(bare_runs, bare.peak_rss_mb(), bare_cpu),
                                "ratio": 1.0}
        for case in wrk_cases:
            server = self.servers.running[case.server]
            row = _wrk_row(runs[case.key], server.peak_rss_mb(), cpu[case.key])
            row["ratio"] = _median(ratios[case.key])
            row["ratios"] = [round(value, 3) for value in ratios[case.key]]
            for name, other in case.references.items():
                if other in runs:  # this case's rate over the reference's, round by round
                    per_round = [a.rps / b.rps for a, b in zip(runs[case.key], runs[other], strict=True) if b.rps]
                    row[f"vs_{name}"] = _median(per_round)
                    row[f"vs_{name}_by_round"] = [round(value, 3) for value in per_round]
            self.results["cases"][case.key] = {
                "label": case.label, "group": case.group, "kind": "wrk", **row,
                "targets": [case_defs.judge(target, row) for target in case.targets],
            }

    # --- the client-driven and in-process cases --------------------------------------------

    def _search(self) -> None:
        if importlib.util.find_spec("bench.search_bench") is None:
            self.note("search: not yet measurable (bench/search_bench.py is not there)")
            return
        from bench import search_bench  # written by the book-index engineer

        opts = self.options
        self.log(f"search: {opts.search_pages} pages, {opts.search_queries} queries")
        row: dict[str, Any] = dict(search_bench.run(pages=opts.search_pages,
                                                    queries=opts.search_queries))
        row["targets"] = [case_defs.judge(case_defs.SEARCH_TARGET, row)]
        row["label"] = f"search_book_content, {opts.search_pages}-page synthetic book (in-process)"
        self.results["search"] = row

    def _ratelimit(self) -> None:
        self.log(f"rate limiter CPU with idle tracked clients ({self.options.limiter_seconds} s each)")
        row: dict[str, Any] = dict(ratelimit_cpu.run(self.options.limiter_seconds))
        row["targets"] = [case_defs.judge(case_defs.LIMITER_TARGET, row)]
        row["label"] = (f"RateLimiter('10/minute', memory://), % of a core at "
                        f"{ratelimit_cpu.HITS_PER_SECOND} hits/s")
        self.results["ratelimit"] = row
        self.log(f"  {row}")

    # --- the whole run -------------------------------------------------------------------

    def _check_redis(self) -> None:
        """Two-worker servers count limits in Redis: say so now if it does not answer."""
        if self.options.groups & {"session", "shared"}:
            limits_redis.check(self.redis_url)

    def execute(self) -> dict[str, Any]:
        opts = self.options
        groups = opts.groups
        if self.load_cores is not None:  # our own client and in-process cases stay off the server's core
            os.sched_setaffinity(0, {int(core) for core in self.load_cores.split(",")})
        try:
            self._check_redis()
            if opts.compare:
                self.variants.append(compare.export(opts.compare, opts.workdir))
            wrk_cases: list[case_defs.WrkCase] = []
            if "session" in groups:
                wrk_cases += self._prepare_sessions()
            for variant in self.variants:
                if "chat" in groups:
                    wrk_cases += self._prepare_chat(variant)
                if "thread" in groups:
                    wrk_cases += self._prepare_thread(variant)
                if "shared" in groups:
                    wrk_cases += self._prepare_shared(variant)
            self._rounds(compare.link(wrk_cases))
            self._scaling()
            if "chat" in groups:
                client_cases.chat_latency(self)
            if "streams" in groups:
                client_cases.streams(self)
        finally:
            self.servers.stop_all()
            self.databases.drop_all()
        if "search" in groups:
            self._search()
        if "ratelimit" in groups:
            self._ratelimit()
        self.results["seconds"] = round(time.monotonic() - self.log.started, 1)
        return self.results


def run(options: Options) -> dict[str, Any]:
    """Execute a run; raises :class:`BenchError` when it cannot."""
    if not options.groups:
        raise BenchError("no cases selected")
    return Run(options).execute()
