"""The client-driven cases: chat-turn latency (sequential turns) and 1 000 concurrent streams.

Why not wrk: these need the time of the first text event of each stream and a check that every
stream ended with a finished answer, which only a client reading the events can tell.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import httpx

from bench import cases as case_defs
from bench import protocol_client as pc
from bench.procs import cpu_seconds

if TYPE_CHECKING:
    from bench.runner import Run

#: A chat answer long enough to stream in several pieces.
QUESTION = "How does a for loop know when to stop?"


def chat_latency(run: Run) -> None:
    """Sequential turns: the latency we add between the model's first chunk and ours."""
    opts = run.options
    server = run.chat_server()
    model = run.servers.running["model"]
    run.log(f"chat latency: {opts.latency_turns} sequential turns")
    secrets = asyncio.run(run.create_sessions(
        server.base_url, max(1, opts.latency_turns // 100 + 1), prefix="latency", first=800_000
    ))
    timings = asyncio.run(_sequential_turns(run, server.base_url, model.base_url, secrets))
    row = _latency_row(timings)
    row["targets"] = [case_defs.judge(case_defs.CHAT_LATENCY_TARGET, row)]
    row["label"] = "ChatKit turn latency: model's first text chunk → our first text event"
    run.results["chat_latency"] = row
    run.log(f"  added latency p50 {row['added_p50_ms']} ms, p95 {row['added_p95_ms']} ms")

async def _sequential_turns(run: Run, base_url: str, model_url: str,
                            secrets: list[str]) -> list[tuple[pc.TurnTiming, dict[str, Any] | None]]:
    timings = []
    async with httpx.AsyncClient(timeout=pc.REQUEST_TIMEOUT) as client:
        await client.get(model_url + "/bench/marks")  # clear earlier marks
        body = pc.create_thread_body(QUESTION)
        for turn in range(run.options.latency_turns):
            timing = await pc.stream_turn(client, base_url, secrets[turn // 100], body)
            marks = (await client.get(model_url + "/bench/marks")).json()
            timings.append((timing, _answer_mark(marks, timing)))
    return timings

def streams(run: Run) -> None:
    """1 000 concurrent streamed turns on one worker: all must finish, RSS bounded."""
    opts = run.options
    model = run.servers.start(case_defs.model_server("model-slow", run.load_cores,
                                                      chunks=20, delay=0.1))
    spec = case_defs.tutorgpt_server(
        "streams", opts.workdir, 1, opts.pinning.server, TUTORGPT_MODEL="bench-model",
        OPENAI_BASE_URL=model.base_url + "/v1", OPENAI_API_KEY="bench-key",
        TUTORGPT_MESSAGE_RATE_LIMIT_PER_IP="100000000/minute",  # 1 000 streams from one address
    )
    server = run.servers.start(spec)
    run.log(f"creating {opts.streams} sessions for the concurrent streams")
    secrets = asyncio.run(run.create_sessions(server.base_url, opts.streams, prefix="stream",
                                              first=1_000_000))
    run.log(f"{opts.streams} concurrent streams (model streams 20 chunks, 0.1 s apart)")
    httpx.get(model.base_url + "/bench/marks", timeout=10)  # clear earlier marks
    started, cpu_before = time.monotonic(), cpu_seconds(server.process.pid)
    started_ns = time.monotonic_ns()
    timings = asyncio.run(pc.concurrent_turns(server.base_url, secrets, QUESTION, timeout=180))
    seconds = time.monotonic() - started
    marks = httpx.get(model.base_url + "/bench/marks", timeout=10).json()
    answers = [mark for mark in marks if mark["tools"]]
    finished = sum(1 for t in timings if t.finished and t.error is None)
    failures: dict[str, int] = {}
    for timing in timings:
        if not (timing.finished and timing.error is None):
            reason = timing.error or "ended without a finished answer"
            reason += "" if timing.first_byte_ns else " (no byte received)"
            failures[reason] = failures.get(reason, 0) + 1
    first_bytes = [t.first_byte_ns - t.started_ns for t in timings if t.first_byte_ns]
    durations = [t.done_ns - t.started_ns for t in timings if t.done_ns and t.finished]
    row: dict[str, Any] = {
        "label": f"{opts.streams} concurrent SSE streams, 1 worker",
        "streams": opts.streams, "completed": finished, "seconds": round(seconds, 2),
        "peak_rss_mb": round(server.peak_rss_mb(), 1), "failures": failures,
        "server_cpu_pct": round(100 * (cpu_seconds(server.process.pid) - cpu_before) / seconds),
        "first_byte_p50_ms": _percentile_ms(first_bytes, 50),
        "first_byte_p99_ms": _percentile_ms(first_bytes, 99),
        "stream_p50_ms": _percentile_ms(durations, 50),
        "stream_p99_ms": _percentile_ms(durations, 99),
        # Where the time goes: when our server got to call the model, and the model's own time.
        "model_called_p50_ms": _percentile_ms([m["received_ns"] - started_ns for m in answers], 50),
        "model_called_p99_ms": _percentile_ms([m["received_ns"] - started_ns for m in answers], 99),
        "model_stream_p50_ms": _percentile_ms([m["done_ns"] - m["received_ns"] for m in answers
                                               if m["done_ns"]], 50),
    }
    target = case_defs.judge(case_defs.STREAMS_RSS_TARGET, row)
    target["met"] = bool(target["met"]) and finished == opts.streams
    row["targets"] = [target]
    run.results["streams"] = row
    run.log(f"  {finished}/{opts.streams} complete in {seconds:.1f} s, "
             f"peak RSS {row['peak_rss_mb']} MB")


def _percentile_ms(values_ns: list[int], percentile: float) -> float | None:
    if not values_ns:
        return None
    ordered = sorted(values_ns)
    index = min(len(ordered) - 1, max(0, round(percentile / 100 * len(ordered)) - 1))
    return round(ordered[index] / 1e6, 3)


def _answer_mark(marks: list[dict[str, Any]], timing: pc.TurnTiming) -> dict[str, Any] | None:
    """The model request that produced the answer: the earliest one offering tools, else any."""
    inside = [mark for mark in marks if mark.get("first_content_ns")
              and timing.started_ns <= mark["received_ns"] <= (timing.done_ns or 0)]
    with_tools = [mark for mark in inside if mark.get("tools")]
    chosen = with_tools or inside
    return min(chosen, key=lambda mark: mark["received_ns"]) if chosen else None


def _latency_row(timings: list[tuple[pc.TurnTiming, dict[str, Any] | None]]) -> dict[str, Any]:
    added, first_byte, turn, model_own = [], [], [], []
    failures = 0
    for timing, mark in timings:
        if not timing.finished or timing.error or timing.first_delta_ns is None or mark is None:
            failures += 1
            continue
        added.append(timing.first_delta_ns - mark["first_content_ns"])
        first_byte.append((timing.first_byte_ns or timing.done_ns or 0) - timing.started_ns)
        turn.append((timing.done_ns or 0) - timing.started_ns)
        model_own.append(mark["done_ns"] - mark["received_ns"])
    return {
        "turns": len(timings), "failures": failures,
        "added_p50_ms": _percentile_ms(added, 50), "added_p95_ms": _percentile_ms(added, 95),
        "added_max_ms": _percentile_ms(added, 100),
        "first_sse_byte_p50_ms": _percentile_ms(first_byte, 50),
        "turn_p50_ms": _percentile_ms(turn, 50), "turn_p95_ms": _percentile_ms(turn, 95),
        "model_stream_p50_ms": _percentile_ms(model_own, 50),
    }
