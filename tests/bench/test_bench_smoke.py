"""Smoke runs of the benchmark harness: real servers, real wrk, one short run each.

These prove the harness works (servers start, the Lua scripts send valid requests, results
are parsed and written); they never assert on performance numbers.
"""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from bench import cases, naive_app
from bench.__main__ import main
from bench.compare import BEFORE, export, link
from bench.limits_redis import check, limits_url
from bench.procs import Pinning, start_server
from bench.wrk import parse_summary, run_wrk

needs_wrk = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")


@needs_wrk
@pytest.mark.timeout(60)
def test_session_script_gets_every_request_created(tmp_path: Path) -> None:
    """Distinct X-Forwarded-For addresses keep a 10/minute limit from refusing anything."""
    pinning = Pinning(server=None, load=None)
    spec = cases.tutorgpt_server("smoke", tmp_path, 1, None)
    server = start_server(spec.name, spec.module_args, env=spec.env, cores=None, pinning=pinning,
                          log_dir=tmp_path, ready_path=spec.ready_path)
    try:
        result = run_wrk(server.base_url + "/session", "session.lua", ["new", "0", "1", "10"],
                         duration=1, connections=4, threads=1, pinning=pinning)
        assert server.peak_rss_mb() > 0
    finally:
        server.stop()
    assert result.requests > 10  # far more than the 10/minute one address may make
    assert result.errors == {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}


@needs_wrk
@pytest.mark.timeout(120)
def test_one_quick_round_writes_the_results(tmp_path: Path) -> None:
    """A 50-item thread is built through the protocol, then get_by_id alternates with bare."""
    status = main(["--quick", "--cases", "thread", "--duration", "1", "--rounds", "1",
                   "--output", str(tmp_path)])
    assert status == 0
    results = json.loads((tmp_path / "latest.json").read_text())
    assert results["thread_items"] == 20  # get_by_id returns the first page, as the reference does
    row = results["cases"]["get_by_id_50"]
    assert len(row["runs"]) == 1 and row["errors"] == 0 and row["rps"] > 0
    assert results["bare"]["rps"] > 0 and row["ratio"] is not None
    assert "threads.get_by_id, 50-item thread" in (tmp_path / "latest.md").read_text()


def test_summary_line_is_required() -> None:
    with pytest.raises(RuntimeError, match="no summary line"):
        parse_summary("Running 1s test @ http://127.0.0.1:1/\n")


def test_unknown_case_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--cases", "session,nonsense"])
    assert "unknown case(s) nonsense" in capsys.readouterr().err


def test_missing_wrk_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["--quick", "--output", str(tmp_path)]) == 2
    assert "apt-get install wrk" in capsys.readouterr().err
    assert not (tmp_path / "latest.json").exists()


@pytest.mark.timeout(120)
def test_two_worker_session_server_starts_with_redis_limits(tmp_path: Path) -> None:
    """``tutorgpt serve --workers 2`` refuses memory limits; the suite's spec must give it Redis."""
    url = limits_url()
    check(url)  # a BenchError naming TUTORGPT_BENCH_REDIS_URL when Redis is not there
    spec = cases.session_server(2, tmp_path, None, url)
    server = start_server(spec.name, spec.module_args, env=spec.env, cores=None,
                          pinning=Pinning(server=None, load=None), log_dir=tmp_path, ready_path=spec.ready_path)
    try:
        response = httpx.post(server.base_url + "/session", json={"page_path": "/docs/x"},
                              headers={"X-Forwarded-For": f"10.{secrets.randbelow(256)}.1.2"}, timeout=30)
    finally:
        server.stop()
    assert response.status_code == 201, response.text


def test_naive_build_keeps_the_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The naive reference answers like TutorGPT: 201 with credentials, 400, and 429 after ten."""
    monkeypatch.setattr(naive_app, "DATABASE", str(tmp_path / "naive.db"))
    body = {"page_path": "/docs/a", "student_email": "Jane@Example.com", "learning_level": "beginner"}
    with TestClient(naive_app.create_app()) as client:
        created = client.post("/session", json=body)
        invalid = client.post("/session", json={"student_email": "nope", "learning_level": "expert"})
        statuses = [client.post("/session", json={}).status_code for _ in range(10)]
    assert created.status_code == 201 and set(created.json()) == {"client_secret", "session_id", "expires_at"}
    assert invalid.status_code == 400
    assert {d["field"] for d in invalid.json()["details"]} == {"student_email", "learning_level"}
    assert statuses == [201] * 9 + [429]  # the 400 was refused before the limiter counted it


def test_before_twins_sit_above_their_cases_and_are_compared() -> None:
    after = cases.session_cases(1, 10)
    before = cases.session_cases(1, 10, cases.Variant(BEFORE, " — before", Path("/nowhere")))
    linked = link(after + before)
    assert [case.key for case in linked[:2]] == ["session_new_1w" + BEFORE, "session_new_1w"]
    assert linked[1].references == {"naive": "session_new_naive", "before": "session_new_1w" + BEFORE}


def test_compare_exports_the_other_commit(tmp_path: Path) -> None:
    variant = export("HEAD", tmp_path)
    assert (variant.source / "tutorgpt_asgi" / "cli.py").is_file()
    assert variant.suffix == BEFORE and "HEAD" in variant.label
    spec = cases.session_server(1, tmp_path, None, "redis://unused", variant)
    assert spec.cwd == variant.source and spec.name == "session-1w" + BEFORE
