"""The results as JSON and as a Markdown table, plus a description of the machine they came from."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

#: The references a row may be compared with, round by round (``vs_<name>`` in a row).
REFERENCES = ("naive", "before")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _wrk_version() -> str:
    try:
        completed = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=5,
                                   check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "missing"
    return (completed.stdout or completed.stderr).splitlines()[0].split(" [")[0]


def machine() -> dict[str, Any]:
    """What the numbers depend on: CPU, cores, load, and the versions of the stack."""
    versions = {}
    for package in ("uvicorn", "starlette", "msgspec", "limits", "openai", "uvloop",
                    "httptools"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "missing"
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "wrk": _wrk_version(),
        "versions": versions,
    }


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _ratio(value: float | None) -> str:
    """Two decimals, three below 0.1 (a chat turn is a small fraction of a bare request)."""
    return _fmt(value, 3 if value is not None and value < 0.1 else 2)


def _by_round(row: dict[str, Any]) -> str:
    """Each round's throughput, to show drifts the median hides (e.g. state that grows)."""
    return " ".join(f"{run['rps']:,.0f}" for run in row["runs"])


def _targets(row: dict[str, Any]) -> str:
    parts = []
    for target in row.get("targets", []):
        mark = {True: "met", False: "**NOT met**", None: "not measured"}[target["met"]]
        parts.append(f"{target['text']}: {mark}")
    return "; ".join(parts) or "–"


def markdown(results: dict[str, Any]) -> str:
    """The tables of one run, ready for the README and the issue note."""
    info = results["machine"]
    config = results["config"]
    lines = [
        f"Run of {results['finished_at']} ({'quick' if config['quick'] else 'full'}, "
        f"{config['rounds']} rounds of {config['duration']} s, wrk {config['connections']} "
        f"connections, pinning: server on core {config['server_cores'] or 'any'}, load on core "
        f"{config['load_cores'] or 'any'}; {results['seconds']} s in all"
        + (f"; compared with {config['compare']}" if config.get("compare") else "") + ").",
        f"Machine: {info['cpu']}, {info['cores']} cores, load {info['load_average_at_start']} at "
        f"start, Python {info['python']}, SQLite {info['sqlite']}, uvicorn "
        f"{info['versions']['uvicorn']}, {info['wrk']}.",
    ]
    rows = ([("bare", results["bare"])] if "bare" in results else []) + list(results["cases"].items())
    # "× naive" and "× before" columns appear when some row was compared with that reference.
    references = [name for name in REFERENCES if any(f"vs_{name}" in row for _, row in rows)]
    if rows:
        lines += [
            "",
            "| case | req/s (median) | × bare | " + "".join(f"× {name} | " for name in references)
            + "p50 ms | p99 ms | server CPU % of a core | peak RSS MB | errors | req/s by round | target |",
            "|---|---:|---:|" + "---:|" * len(references) + "---:|---:|---:|---:|---:|---|---|",
        ]
    for _, row in rows:
        lines.append(
            f"| {row['label']} | {_fmt(row['rps'], 0)} | {_ratio(row['ratio'])} | "
            + "".join(f"{_ratio(row.get(f'vs_{name}'))} | " for name in references)
            + f"{_fmt(row['p50_ms'], 2)} | {_fmt(row['p99_ms'], 2)} | {_fmt(row['server_cpu_pct'], 0)} | "
            f"{_fmt(row['peak_rss_mb'])} | {_fmt(row['errors'])} | {_by_round(row)} | "
            f"{_targets(row)} |"
        )
    if "chat_latency" in results:
        row = results["chat_latency"]
        lines += [
            "",
            f"**{row['label']}** ({row['turns']} sequential turns, {row['failures']} failed): "
            f"added p50 {_fmt(row['added_p50_ms'], 2)} ms, p95 {_fmt(row['added_p95_ms'], 2)} ms, "
            f"max {_fmt(row['added_max_ms'], 2)} ms; first SSE byte p50 "
            f"{_fmt(row['first_sse_byte_p50_ms'], 2)} ms; whole turn p50 {_fmt(row['turn_p50_ms'], 2)} "
            f"ms (the model's own stream p50 {_fmt(row['model_stream_p50_ms'], 2)} ms). "
            f"Target {_targets(row)}.",
        ]
    if "streams" in results:
        row = results["streams"]
        failures = "; ".join(f"{count} × {reason}" for reason, count in row["failures"].items())
        lines += [
            "",
            f"**{row['label']}** (the model streams 20 chunks 0.1 s apart): {row['completed']}/"
            f"{row['streams']} completed in {row['seconds']} s, peak RSS {_fmt(row['peak_rss_mb'])} "
            f"MB, server CPU {row['server_cpu_pct']}%; first byte p50/p99 "
            f"{_fmt(row['first_byte_p50_ms'], 0)}/{_fmt(row['first_byte_p99_ms'], 0)} ms, whole "
            f"stream p50/p99 {_fmt(row['stream_p50_ms'], 0)}/{_fmt(row['stream_p99_ms'], 0)} ms; "
            f"the model was called after p50/p99 {_fmt(row['model_called_p50_ms'], 0)}/"
            f"{_fmt(row['model_called_p99_ms'], 0)} ms and streamed for p50 "
            f"{_fmt(row['model_stream_p50_ms'], 0)} ms"
            + (f"; failed: {failures}" if failures else "")
            + f". Target {_targets(row)}.",
        ]
    if "search" in results:
        row = results["search"]
        figures = ", ".join(f"{key} {_fmt(value, 3)}" for key, value in row.items()
                            if key not in ("label", "targets"))
        lines += ["", f"**{row['label']}**: {figures}. Target {_targets(row)}."]
    if "ratelimit" in results:
        row = results["ratelimit"]
        idle = row.get("0 idle")
        figures = ", ".join(
            f"{key}: {_fmt(value, 1)}%"
            + (f" ({value - idle:+.1f} over 0 idle)" if idle is not None and key != "0 idle" else "")
            for key, value in row.items() if key not in ("label", "targets")
        )
        lines += ["", f"**{row['label']}**: {figures}. Target {_targets(row)}."]
    if results["notes"]:
        lines += ["", *[f"- {note}" for note in results["notes"]]]
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    """Write ``latest.json`` and ``latest.md`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path, md_path = directory / "latest.json", directory / "latest.md"
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    md_path.write_text(markdown(results))
    return json_path, md_path
