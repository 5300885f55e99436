"""What the suite measures: the servers it needs, the wrk cases, and their targets.

Each wrk case names the server it drives, the Lua script, and how the script's arguments
depend on the first request number (so that numbers, and with them e-mails and client
addresses, never repeat on one server across runs). Targets come from issue 8.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.procs import REPO

#: Groups of cases selectable with ``--cases``.
GROUPS = ("session", "chat", "thread", "search", "streams", "ratelimit", "shared")


@dataclass(frozen=True, slots=True)
class Target:
    """A bound on one summary metric: ``metric`` must be ``>=`` or ``<=`` ``bound``."""

    metric: str
    op: str
    bound: float
    text: str

    def met(self, value: float | None) -> bool | None:
        """Whether ``value`` meets the bound (``None`` when there is no value)."""
        if value is None:
            return None
        return value >= self.bound if self.op == ">=" else value <= self.bound


@dataclass(frozen=True, slots=True)
class ServerSpec:
    """A server the cases need: ``python -m <module_args>``, its environment and its cores."""

    name: str
    module_args: tuple[str, ...]
    env: dict[str, str]
    cores: str | None
    ready_path: str
    cwd: Path = REPO


@dataclass(frozen=True, slots=True)
class Variant:
    """Which code a TutorGPT server runs: this tree, or an export of ``--compare REF``.

    ``python -m`` puts the working directory first on ``sys.path``, so a server started in an
    export imports that export's ``tutorgpt_asgi`` and not the installed one.
    """

    suffix: str
    label: str
    source: Path


#: The code of the working tree the suite runs from.
THIS_TREE = Variant("", "", REPO)


@dataclass(frozen=True, slots=True)
class WrkCase:
    """A wrk-driven case, run in alternation with the bare endpoint."""

    key: str
    group: str
    label: str
    server: str
    path: str
    script: str
    args: Callable[[int], list[str]]
    targets: tuple[Target, ...] = field(default=())
    #: Columns of "× reference": the column's name and the key of the case it is compared with,
    #: per round (e.g. ``{"× naive": "session_new_naive"}``).
    references: dict[str, str] = field(default_factory=dict)


def tutorgpt_server(name: str, workdir: Path, workers: int, cores: str | None,
                    source: Path = REPO, **env: str) -> ServerSpec:
    """``tutorgpt serve`` (of the code in ``source``) on its own SQLite files, trusting the load
    generator as a proxy."""
    settings = {
        "TUTORGPT_DATABASE_URL": f"sqlite:///{workdir / (name + '.db')}",
        "TUTORGPT_BOOK_DATABASE_URL": f"sqlite:///{workdir / (name + '-book.db')}",
        "TUTORGPT_TRUSTED_PROXIES": "127.0.0.1",
        "TUTORGPT_LOG_LEVEL": "WARNING",
        **env,
    }
    return ServerSpec(name, ("tutorgpt_asgi.cli", "serve", "--host", "127.0.0.1",
                             "--workers", str(workers)), settings, cores, "/health", source)


def session_server(workers: int, workdir: Path, cores: str | None, redis_url: str,
                   variant: Variant = THIS_TREE, *, redis: bool | None = None) -> ServerSpec:
    """The SQLite server of the session cases; two workers (or ``redis=True``) count limits in Redis.

    ``tutorgpt serve --workers 2`` refuses per-process (``memory://``) limits, which would let
    each worker allow the full limit, so the two-worker case runs as production must. One worker
    on Redis separates what the second worker costs from what Redis limits cost.
    """
    redis = workers > 1 if redis is None else redis
    env = {"TUTORGPT_RATE_LIMIT_STORAGE": redis_url} if redis else {}
    name = f"session-{workers}w{'-redis' if redis and workers == 1 else ''}{variant.suffix}"
    return tutorgpt_server(name, workdir, workers, cores, variant.source, **env)


def naive_server(workdir: Path, cores: str | None) -> ServerSpec:
    """The naive reference build (``bench/naive_app.py``) on the same uvicorn settings."""
    return ServerSpec(
        "naive",
        ("uvicorn", "bench.naive_app:create_app", "--factory", "--host", "127.0.0.1",
         "--no-access-log", "--log-level", "warning", "--no-server-header"),
        {"TUTORGPT_BENCH_NAIVE_DATABASE": str(workdir / "naive.db")}, cores, "/health",
    )


def baseline_server(cores: str | None) -> ServerSpec:
    """The bare Starlette endpoint on the same uvicorn settings as ``tutorgpt serve``."""
    return ServerSpec(
        "bare",
        ("uvicorn", "bench.baseline:create_app", "--factory", "--host", "127.0.0.1",
         "--no-access-log", "--log-level", "warning", "--no-server-header"),
        {}, cores, "/",
    )


def model_server(name: str, cores: str | None, *, chunks: int, delay: float) -> ServerSpec:
    """The scripted OpenAI-compatible server with send-time marks (``bench.model_server``)."""
    return ServerSpec(name, ("bench.model_server", "--chunks", str(chunks), "--delay", str(delay)),
                      {}, cores, "/bench/marks")


def shared_server(workers: int, workdir: Path, cores: str | None, database_url: str, redis_url: str,
                  model_url: str, variant: Variant = THIS_TREE) -> ServerSpec:
    """``tutorgpt serve`` on PostgreSQL and Redis (issue 15), with the chat model in model mode.

    The chat load comes from one address (the load generator), so the per-IP message limit is
    lifted like the per-session one; session requests still pass Redis's limiter every time.
    """
    return tutorgpt_server(
        f"shared-{workers}w{variant.suffix}", workdir, workers, cores, variant.source,
        TUTORGPT_DATABASE_URL=database_url, TUTORGPT_RATE_LIMIT_STORAGE=redis_url,
        TUTORGPT_MODEL="bench-model", OPENAI_BASE_URL=model_url + "/v1", OPENAI_API_KEY="bench-key",
        TUTORGPT_MESSAGE_RATE_LIMIT="600/minute", TUTORGPT_MESSAGE_RATE_LIMIT_PER_IP="100000000/minute",
    )


#: Issue 15: two workers on PostgreSQL + Redis give at least this many times one worker's rate.
SCALING_TARGET = Target("scaling", ">=", 1.35, "2 workers ≥ 1.35× 1 worker")

#: Issue 16's goals for ``POST /session`` on one worker (issue 8 asked for 0.25× bare).
SESSION_TARGETS = (
    Target("ratio", ">=", 0.30, "≥ 0.30× bare"),
    Target("p99_ms", "<=", 25.0, "p99 ≤ 25 ms"),
    Target("vs_naive", ">=", 2.5, "≥ 2.5× naive"),
)


def _session_args(mode: str, threads: int, pool: int) -> Callable[[int], list[str]]:
    def args(offset: int) -> list[str]:
        return [mode, str(offset), str(threads), str(pool)]

    return args


def _who(mode: str, pool: int) -> str:
    return "new student each time" if mode == "new" else f"existing students (pool {pool})"


def session_cases(threads: int, pool: int, variant: Variant = THIS_TREE) -> list[WrkCase]:
    """``POST /session`` for new and for existing students, on one and on two workers.

    One-worker rows are also compared with the naive build, round by round.
    """
    cases = []
    for workers in (1, 2):
        for mode in ("new", "existing"):
            targets = SESSION_TARGETS if workers == 1 and variant == THIS_TREE else ()
            cases.append(WrkCase(
                key=f"session_{mode}_{workers}w{variant.suffix}",
                group="session",
                label=f"POST /session, {_who(mode, pool)}, {workers} worker{'s' if workers > 1 else ''}"
                      f"{' (Redis limits)' if workers > 1 else ''}{variant.label}",
                server=f"session-{workers}w{variant.suffix}",
                path="/session",
                script="session.lua",
                args=_session_args(mode, threads, pool),
                targets=targets,
                references={"naive": f"session_{mode}_naive"} if workers == 1 else {},
            ))
    return cases


def redis_one_worker_case(threads: int, pool: int) -> WrkCase:
    """``POST /session`` for new students on one worker with Redis limits (issue 16, item 3)."""
    return WrkCase(
        key="session_new_1w_redis", group="session",
        label="POST /session, new student each time, 1 worker (Redis limits)",
        server="session-1w-redis", path="/session", script="session.lua",
        args=_session_args("new", threads, pool),
    )


def naive_cases(threads: int, pool: int) -> list[WrkCase]:
    """``POST /session`` on the naive reference build (issue 16's second reference)."""
    return [WrkCase(
        key=f"session_{mode}_naive", group="session",
        label=f"POST /session, {_who(mode, pool)}: naive FastAPI + pydantic + aiosqlite + limits.aio, 1 worker",
        server="naive", path="/session", script="session.lua", args=_session_args(mode, threads, pool),
    ) for mode in ("new", "existing")]


def protocol_case(key: str, group: str, label: str, secrets_file: Path, body_file: Path,
                  threads: int, targets: tuple[Target, ...] = (), server: str = "chat") -> WrkCase:
    """A ChatKit protocol request with a constant body and rotating bearer secrets."""
    return WrkCase(
        key=key, group=group, label=label, server=server, path="/", script="protocol.lua",
        args=lambda offset: [str(secrets_file), str(body_file), str(offset), str(threads)],
        targets=targets,
    )


CHAT_LATENCY_TARGET = Target("added_p95_ms", "<=", 5.0, "added p95 ≤ 5 ms")
THREAD_TARGET = Target("ratio", ">=", 0.4, "≥ 0.4× bare")
SEARCH_TARGET = Target("search_p99_ms", "<=", 5.0, "p99 ≤ 5 ms")
STREAMS_RSS_TARGET = Target("peak_rss_mb", "<=", 300.0, "all complete, RSS ≤ 300 MB")
LIMITER_TARGET = Target("1000 idle", "<=", 5.0, "≤ 5% of a core at 1 000 idle")


def judge(target: Target, row: dict[str, Any]) -> dict[str, Any]:
    """The target's verdict on ``row``, as the report shows it."""
    value = row.get(target.metric)
    return {"text": target.text, "metric": target.metric, "value": value,
            "met": target.met(value if isinstance(value, (int, float)) else None)}
