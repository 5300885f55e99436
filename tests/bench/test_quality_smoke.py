"""Smoke run of ``python -m bench.quality`` on the example book (the Django book needs PyPI).

It proves the harness runs end to end, and holds the relevance signal to the goals the issue set
on this book: every off-book question rejected by the search and the offline tutor. Recall
figures are reported, not asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.quality.__main__ import EXAMPLE_DOCS, render
from bench.quality.harness import evaluate
from bench.quality.questions import EXAMPLE_BOOK

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_the_harness_scores_the_example_book(tmp_path: Path) -> None:
    report = await evaluate("example", EXAMPLE_DOCS, EXAMPLE_BOOK, tmp_path)
    assert len(report.outcomes) == len(EXAMPLE_BOOK) and report.pages >= 10
    offbook = [o for o in report.outcomes if not o.question.pages]
    assert offbook and all(o.weak_match and not o.offline_answered for o in offbook)
    inbook = [o for o in report.outcomes if o.question.pages]
    assert any(o.ours_rank == 1 for o in inbook) and any(o.base_rank == 1 for o in inbook)
    table = render(report)
    for kind in ("paraphrase", "code", "howto", "conceptual", "keyword", "offbook", "quote"):
        assert f"| {kind} |" in table
