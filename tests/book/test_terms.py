"""Common-word handling: FTS5's own stems, query plans, and the same answers either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutorgpt_asgi.book import BookIndex, search_book_content, terms
from tutorgpt_asgi.book.query import QueryPlan, plan_query
from tutorgpt_asgi.book.query import terms as query_terms

from .conftest import DOCS
from .test_search import GOLDEN


def test_stems_are_the_porter_tokenizer_s() -> None:
    stemmer = terms.Stemmer()
    try:
        assert stemmer.stems(["tuning", "hummed", "snake_case", "Café"]) == {
            "tuning": frozenset({"tune"}),
            "hummed": frozenset({"hum"}),
            "snake_case": frozenset({"snake", "case"}),
            "Café": frozenset({"cafe"}),
        }
    finally:
        stemmer.close()


def test_plans() -> None:
    assert plan_query([]) is None
    assert plan_query(["to", "be", "or", "not"]) == QueryPlan(("to be or not",))
    assert plan_query(["rivets", "widget"]) == QueryPlan(("rivets", "widget"))
    assert plan_query(["rivets", "widget", "copper"], {"widget", "copper"}) == QueryPlan(
        ("rivets", "widget", "copper"),
        (
            '"rivets"',
            '"rivets" OR {title headings} : ("widget" OR "copper")',
            '"rivets" OR {title headings} : ("widget" OR "copper") OR ("widget" AND "copper")',
        ),
        ("widget", "copper"),
    )
    assert plan_query(query_terms('NEAR(a "b')) == QueryPlan(("near", "b"))


async def _first_hits(db_url: str) -> list[tuple[str, str | None]]:
    async with await BookIndex.open(db_url) as index:
        await index.index_path(DOCS)
        firsts = []
        for question, _ in GOLDEN:
            result = await search_book_content(index, question, k=3)
            firsts.append((result.hits[0].doc_id, result.hits[0].anchor))
        return firsts


@pytest.mark.anyio
async def test_narrowing_by_rare_words_keeps_the_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = await _first_hits(f"sqlite:///{tmp_path / 'full.db'}")
    # Make "common" apply to this tiny book: any stem in 15% of its chunks.
    monkeypatch.setattr(terms, "COMMON_MIN_CHUNKS", 1)
    monkeypatch.setattr(terms, "COMMON_SHARE", 0.15)
    narrowed_url = f"sqlite:///{tmp_path / 'narrowed.db'}"
    async with await BookIndex.open(narrowed_url) as index:
        await index.index_path(DOCS)
        assert await index.common_words(["widget", "oscilloscope"]) == {"widget"}
    assert await _first_hits(narrowed_url) == full

