"""Identifiers split and joined: ``max_retries``, ``maxRetries`` and "max retries" find each other."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutorgpt_asgi.book import BookIndex, search_book_content
from tutorgpt_asgi.book.query import phrases, plan_query, terms

pytestmark = pytest.mark.anyio

PAGES = {
    "snake": "# Snake\n\n## Settings\n\nSet `max_retries = 3` on the client before the first call.\n",
    "camel": "# Camel\n\n## Options\n\nPass `{ maxRetries: 3 }` to the client constructor.\n",
    "prose": "# Prose\n\n## Limits\n\nThe max retries value caps how often the client repeats a call.\n",
    "other": "# Other\n\n## Unrelated\n\nA client may retry calls, and a maximum applies to many things.\n",
}


def test_query_words_and_phrases_of_identifiers() -> None:
    assert terms("maxRetries") == terms("max_retries") == terms("max retries") == ["max", "retries"]
    assert phrases("maxRetries") == ["max retries", "maxretries"]
    assert phrases("max_retries") == ["max retries", "maxretries"]
    assert phrases("max retries") == ["maxretries"]
    plan = plan_query(terms("maxRetries"), (), phrases("maxRetries"))
    assert plan is not None
    assert plan.expression == '"max" OR "retries" OR "max retries" OR "maxretries"'
    assert phrases('NEAR(a "b') == [] and all('"' not in p for p in phrases('x_"y" "a_b'))


@pytest.mark.parametrize("query", ["maxRetries", "max_retries", "max retries"])
async def test_every_spelling_finds_every_spelling(tmp_path: Path, query: str) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in PAGES.items():
        (docs / f"{name}.md").write_text(text, encoding="utf-8")
    async with await BookIndex.open(f"sqlite:///{tmp_path / 'book.db'}") as index:
        await index.index_path(docs)
        result = await search_book_content(index, query, k=4)
    found = [hit.lesson_id for hit in result.hits]
    assert set(found[:3]) == {"snake", "camel", "prose"}, found


def test_adjacent_words_are_joined_in_short_queries_only() -> None:
    """In a sentence, two words side by side are mostly grammar: "admin change list" joined to
    ``changelist`` pulled a release note above the tutorial (bench/README.md)."""
    assert phrases("task group") == ["taskgroup"]
    assert phrases("admin change list") == ["adminchange", "changelist"]
    assert phrases("How can I add a search box to the admin change list?") == []
    assert phrases("How can I set maxRetries on the retrying http client?") == ["max retries", "maxretries"]
