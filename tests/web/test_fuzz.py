"""schemathesis against ``/openapi.json`` of a real ``tutorgpt serve``: no 5xx, no schema violation.

Bounded for CI: at most ``FUZZ_EXAMPLES`` examples per operation and ``FUZZ_SECONDS`` in all
(``TUTORGPT_FUZZ_EXAMPLES`` / ``TUTORGPT_FUZZ_SECONDS`` raise them for a long local run). The
protocol operations run with a valid bearer secret so that bodies reach the parser; refresh and
delete (which end that secret) run in a second pass with a secret of their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.servers import cli_process

FUZZ_EXAMPLES = int(os.environ.get("TUTORGPT_FUZZ_EXAMPLES", "100"))
FUZZ_SECONDS = int(os.environ.get("TUTORGPT_FUZZ_SECONDS", "60"))
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,response_headers_conformance"
)
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def _fuzz(base: str, secret: str, seconds: int, *selection: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(SCHEMATHESIS), "run", f"{base}/openapi.json",
            "--header", f"Authorization: Bearer {secret}",
            "--checks", CHECKS,
            "--max-examples", str(FUZZ_EXAMPLES),
            "--max-time", str(seconds),
            "--workers", "1",
            "--request-timeout", "30",
            "--output-truncate", "true",
            *selection,
        ],
        capture_output=True,
        text=True,
        timeout=seconds * 2 + 120,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.mark.timeout(FUZZ_SECONDS * 3 + 300)
def test_the_openapi_document_survives_schemathesis(tmp_path: Path) -> None:
    env = {
        "TUTORGPT_DATABASE_URL": f"sqlite:///{tmp_path / 'tutorgpt.db'}",
        "TUTORGPT_BOOK_DATABASE_URL": f"sqlite:///{tmp_path / 'book.db'}",
        "TUTORGPT_RATE_LIMIT": "1000000/minute",
        "TUTORGPT_LOG_LEVEL": "WARNING",
    }
    with cli_process(["serve"], env, output=tmp_path / "server.log") as (_, base):
        first, second = (httpx.post(f"{base}/session", json={}).json()["client_secret"] for _ in range(2))
        main = _fuzz(base, first, FUZZ_SECONDS, "--exclude-path", "/session/refresh", "--exclude-method", "DELETE")
        ending = _fuzz(base, second, max(10, FUZZ_SECONDS // 4), "--include-path", "/session/refresh",
                       "--include-method", "DELETE")
    server_log = (tmp_path / "server.log").read_text()
    for run in (main, ending):
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
        assert "generated" in run.stdout and "failure" not in run.stdout.split("SUMMARY")[-1].lower()
    assert "Traceback" not in server_log and "Unhandled error" not in server_log, server_log[-4000:]
