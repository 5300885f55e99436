"""What the background purge costs ``POST /session``: ``python -m bench.purge_p99``.

Two ``tutorgpt serve`` processes (one worker, SQLite) start on copies of one database holding a
backlog of expired sessions and idle anonymous students, as a deployment that never purged
would have. One never purges (``TUTORGPT_PURGE_INTERVAL`` = a day), the other purges every
second in batches of ``TUTORGPT_PURGE_BATCH_SIZE``. wrk drives ``POST /session`` on each in
alternation; the table compares p99 (and throughput) while the backlog is being purged.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import cases
from bench.procs import Pinning, start_server
from bench.wrk import run_wrk
from tutorgpt_asgi.clock import stored
from tutorgpt_asgi.store.sqlite import SQLiteDatabase


def _backlog(path: Path, rows: int) -> None:
    """A migrated file with ``rows`` expired sessions, each of an idle anonymous student."""

    async def migrate() -> None:
        db = SQLiteDatabase(str(path))
        await db.open()
        await db.close()

    asyncio.run(migrate())
    old = stored(datetime.now(UTC) - timedelta(days=120))
    connection = sqlite3.connect(path)
    connection.executemany(
        "INSERT INTO students (id, learning_level, created_at, updated_at) VALUES (?, 'beginner', ?, ?)",
        ((f"stu_old{n}", old, old) for n in range(rows)),
    )
    connection.executemany(
        "INSERT INTO sessions (id, student_id, secret_hash, page_path, context_json, created_at,"
        " last_active_at, expires_at, max_expires_at) VALUES (?, ?, ?, '/docs/x', '{}', ?, ?, ?, ?)",
        ((f"sess_old{n}", f"stu_old{n}", n.to_bytes(32, "big"), old, old, old, old) for n in range(rows)),
    )
    connection.commit()
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.purge_p99")
    parser.add_argument("--backlog", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    pinning = Pinning.detect()
    with tempfile.TemporaryDirectory(prefix="tutorgpt-purge-") as tmp:
        work = Path(tmp)
        _backlog(work / "seed.db", args.backlog)
        servers = {}
        for name, interval in (("never", "86400"), ("purging", "1")):
            shutil.copy(work / "seed.db", work / f"{name}.db")
            spec = cases.tutorgpt_server(name, work, 1, pinning.server, TUTORGPT_PURGE_INTERVAL=interval,
                                         TUTORGPT_PURGE_BATCH_SIZE=str(args.batch))
            servers[name] = start_server(name, spec.module_args, env=spec.env, cores=spec.cores,
                                         pinning=pinning, log_dir=work, ready_path="/health")
        try:
            offset = 0
            for number in range(args.rounds):
                for name, server in servers.items():
                    result = run_wrk(server.base_url + "/session", "session.lua", ["new", str(offset), "1", "1"],
                                     duration=args.duration, connections=64, threads=1, pinning=pinning)
                    offset += 1_000_000
                    left = sqlite3.connect(work / f"{name}.db").execute(
                        "SELECT COUNT(*) FROM sessions WHERE purged_at IS NULL AND expires_at < ?",
                        (stored(datetime.now(UTC) - timedelta(days=1)),)).fetchone()[0]
                    print(f"round {number + 1} {name:<8} {result.rps:8.0f} req/s  p50 {result.p50_ms:7.2f} ms"
                          f"  p99 {result.p99_ms:7.2f} ms  expired sessions left {left}", flush=True)
        finally:
            for server in servers.values():
                server.stop()


if __name__ == "__main__":
    main()
