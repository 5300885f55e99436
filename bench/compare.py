"""``--compare REF``: the wrk cases also run on TutorGPT servers of another commit, in the same rounds.

The other commit is exported with ``git archive`` into the run's work directory (no worktree,
nothing left in the repository), and its servers start there: ``python -m`` puts the working
directory first on ``sys.path``, so they import the export's ``tutorgpt_asgi``. Every case
then has a "before" twin alternating with it and with the bare endpoint, and the table shows
both rows with the after/before ratio taken round by round.
"""

from __future__ import annotations

import dataclasses
import subprocess
import tarfile
from pathlib import Path

from bench.cases import Variant, WrkCase
from bench.procs import REPO, BenchError

#: Suffix of the keys and server names of the "before" twins.
BEFORE = "-before"


def _git(*args: str) -> str:
    completed = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BenchError(f"git {' '.join(args)} failed: {completed.stderr.strip()}")
    return completed.stdout.strip()


def export(ref: str, workdir: Path) -> Variant:
    """Export ``ref`` under ``workdir`` and return the variant whose servers run it."""
    commit = _git("rev-parse", "--short", f"{ref}^{{commit}}")
    archive = workdir / f"compare-{commit}.tar"
    _git("archive", "--format=tar", "-o", str(archive), commit)
    target = workdir / f"compare-{commit}"
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    archive.unlink()
    return Variant(BEFORE, f" — before ({ref}, {commit})", target)


def link(cases: list[WrkCase]) -> list[WrkCase]:
    """Each "before" twin just above its case, and the case compared with it (``× before``)."""
    keys = {case.key for case in cases}
    first_seen: dict[str, int] = {}
    for case in cases:
        first_seen.setdefault(case.key.removesuffix(BEFORE), len(first_seen))
    linked = []
    for case in cases:
        twin = case.key + BEFORE
        if not case.key.endswith(BEFORE) and twin in keys:
            case = dataclasses.replace(case, references={**case.references, "before": twin})
        linked.append(case)
    return sorted(linked, key=lambda c: (first_seen[c.key.removesuffix(BEFORE)], not c.key.endswith(BEFORE)))

