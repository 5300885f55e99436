"""Workers that start together with TUTORGPT_BOOK set build the book index once; the others wait."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.book.conftest import DOCS

SCRIPT = """
import asyncio, json, sys, time
from tutorgpt_asgi.book.index import BookIndex
async def main():
    time.sleep(max(0.0, float(sys.argv[3]) - time.time()))  # all start together
    async with await BookIndex.open(sys.argv[1]) as index:
        summary = await index.index_path(sys.argv[2])
    print(json.dumps({"added": summary.added, "unchanged": summary.unchanged, "pages": summary.pages}))
asyncio.run(main())
"""


def test_workers_starting_together_build_the_index_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'book.db'}"
    start = str(time.time() + 3.0)
    workers = [
        subprocess.Popen([sys.executable, "-c", SCRIPT, url, str(DOCS), start],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0], outputs
    summaries = sorted((json.loads(out) for out, _ in outputs), key=lambda s: -s["added"])
    pages = summaries[0]["pages"]
    assert pages > 0
    assert summaries[0]["added"] == pages  # one built it
    assert [s["unchanged"] for s in summaries[1:]] == [pages, pages]  # the others found it current
