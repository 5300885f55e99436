"""The index and search_book_content on real SQLite files: ranking, scopes, hostile text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutorgpt_asgi.book import BookIndex, ScopeContext, search_book_content
from tutorgpt_asgi.book.docs_folder import read_docs_folder
from tutorgpt_asgi.book.errors import BookError
from tutorgpt_asgi.book.rows import rows

from .conftest import DOCS, EXPORT

pytestmark = pytest.mark.anyio

#: One question per lesson of the fixture book, and the (chapter, lesson, anchor) that answers it
#: (anchor ``...``: any section of that lesson will do).
GOLDEN = [
    ("What is the book's mascot heron called?", (None, "intro", "how-to-read-it")),
    ("How many questions are in the chapter one quiz?", ("widgets", "overview", "what-you-will-learn")),
    ("How many rivets does a widget need?", ("widgets", "first-steps", ...)),
    ("Which gadget glows amber when the widget is level?", ("widgets", "gadgets", ...)),
    ("What instrument do the advanced topics assume on the bench?", ("advanced", "overview", ...)),
    ("At what frequency does a tuned widget hum?", ("advanced", "tuning-guide", ...)),
    ("How do I get rid of frost whiskers?", ("advanced", "special-cases", ...)),
    ("Which gadget was added in the November release?", ("advanced", "2021-11-release-notes", ...)),
]


@pytest.mark.parametrize("source", [DOCS, EXPORT], ids=["docs-folder", "export"])
async def test_golden_fact_per_lesson_in_top_three(db_url: str, source: Path) -> None:
    async with await BookIndex.open(db_url) as index:
        await index.index_path(source)
        for question, (chapter, lesson, anchor) in GOLDEN:
            result = await search_book_content(index, question, k=3)
            places = [(hit.chapter_id, hit.lesson_id) for hit in result.hits]
            assert (chapter, lesson) in places, (question, places)
            assert places[0] == (chapter, lesson), (question, places)  # and in fact first
            first = result.hits[0]
            assert anchor is ... or first.anchor == anchor
            assert first.url == (f"{first.permalink}#{first.anchor}" if first.anchor else first.permalink)


async def test_hit_fields_snippet_and_absolute_url(db_url: str) -> None:
    async with await BookIndex.open(db_url, site_url="https://widgets.example.com/") as index:
        await index.index_path(DOCS)
        result = await search_book_content(index, "copper conducts heat")
        hit = result.hits[0]
        assert hit.doc_id == "basics/first-steps"
        assert hit.heading_path == ("First steps", "Tools & Materials: the essentials", "Why copper?")
        assert hit.url == "https://widgets.example.com/docs/basics/first-steps#why-copper"
        assert "**Copper**" in hit.snippet and "**conducts**" in hit.snippet
        assert hit.score > 0 and hit.title == "First steps"
        assert result.requested_scope == result.searched_scope == "entire_book" and result.note is None


async def test_stemming_finds_other_word_forms(db_url: str) -> None:
    async with await BookIndex.open(db_url) as index:
        await index.index_path(DOCS)
        result = await search_book_content(index, "tunings hummed", k=1)
        assert result.hits[0].lesson_id == "tuning-guide"


async def test_scope_filters_to_lesson_and_chapter(db_url: str) -> None:
    async with await BookIndex.open(db_url) as index:
        await index.index_path(DOCS)
        lesson = await search_book_content(
            index, "widget", "current_lesson", ScopeContext("widgets", "gadgets"), k=10
        )
        assert lesson.searched_scope == "current_lesson" and lesson.note is None
        assert {(h.chapter_id, h.lesson_id) for h in lesson.hits} == {("widgets", "gadgets")}
        chapter = await search_book_content(
            index, "widget", "current_chapter", ScopeContext("advanced", None), k=10
        )
        assert chapter.searched_scope == "current_chapter"
        assert {h.chapter_id for h in chapter.hits} == {"advanced"}
        # "overview" exists in both chapters: the chapter picks the right one.
        overview = await search_book_content(
            index, "widget", "current_lesson", ScopeContext("advanced", "overview")
        )
        assert {h.doc_id for h in overview.hits} == {"advanced/index"}


async def test_scope_falls_back_with_a_note(db_url: str) -> None:
    async with await BookIndex.open(db_url) as index:
        await index.index_path(DOCS)
        # The frost fact is in another chapter: lesson → chapter → book.
        result = await search_book_content(
            index, "frost whiskers", "current_lesson", ScopeContext("widgets", "gadgets")
        )
        assert result.requested_scope == "current_lesson" and result.searched_scope == "entire_book"
        assert result.hits[0].lesson_id == "special-cases"
        assert result.note and "current lesson" in result.note and "entire book" in result.note
        # The rivet fact is in the same chapter but another lesson.
        result = await search_book_content(
            index, "rivets", "current_lesson", ScopeContext("widgets", "gadgets")
        )
        assert result.searched_scope == "current_chapter" and result.hits[0].lesson_id == "first-steps"
        # Unknown lesson and chapter ids.
        result = await search_book_content(index, "rivets", "current_lesson", ScopeContext("nope", "missing"))
        assert result.searched_scope == "entire_book" and "not known" in (result.note or "")
        result = await search_book_content(index, "rivets", "current_chapter", None)
        assert result.searched_scope == "entire_book" and "not known" in (result.note or "")
        result = await search_book_content(index, "rivets", "whole_library")
        assert result.searched_scope == "entire_book" and "Unknown scope" in (result.note or "")
        assert result.hits[0].lesson_id == "first-steps"


HOSTILE = [
    '"',
    '""',
    "'",
    "*",
    "-",
    "-rivets",
    "rivets*",
    "NEAR",
    "NEAR(rivets copper)",
    "rivets NEAR/2 copper",
    "AND",
    "OR OR OR",
    "NOT rivets",
    "(",
    ")",
    "((rivets",
    'rivets"copper',
    "title:rivets",
    "^rivets",
    "rivets + copper",
    "{rivets}",
    "[a-z]",
    "🙂",
    "🚀 rivets 🚀",
    "\x00",
    "   ",
    "",
    "rivets\ncopper",
    "ﬁ ligature",
    "x" * 10_000,
    "rivets " * 2_000,
    "NEAR(" * 500,
    "'; DROP TABLE chunks; --",
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_queries_never_raise(db_url: str, query: str) -> None:
    async with await BookIndex.open(db_url) as index:
        await index.index_path(DOCS)
        result = await search_book_content(
            index, query, "current_lesson", ScopeContext("widgets", "first-steps")
        )
        assert isinstance(result.hits, tuple)
        if "rivets" in query.lower():
            assert result.hits and result.hits[0].lesson_id == "first-steps"
        assert await index.page_count() == 8  # nothing was dropped


async def test_empty_index_returns_no_hits(db_url: str) -> None:
    async with await BookIndex.open(db_url) as index:
        for scope in ("entire_book", "current_lesson", "current_chapter"):
            result = await search_book_content(index, "anything at all", scope, ScopeContext("a", "b"))
            assert result.hits == ()
            assert result.searched_scope == "entire_book"


async def test_k_is_bounded(db_url: str) -> None:
    async with await BookIndex.open(db_url) as index:
        await index.index_path(DOCS)
        assert len((await search_book_content(index, "widget", k=2)).hits) == 2
        assert len((await search_book_content(index, "widget", k=0)).hits) == 1


async def test_bad_database_urls(tmp_path: Path) -> None:
    for url, fragment in [
        ("postgres://x/y", "the book index is an SQLite file"),
        ("mysql://x/y", "is not supported"),
        ("sqlite:///:memory:", "needs a file"),
        (f"sqlite:///{tmp_path / 'missing' / 'book.db'}", "does not exist"),
    ]:
        with pytest.raises(BookError) as caught:
            await BookIndex.open(url)
        assert caught.value.code == "book_database_url_invalid" and fragment in caught.value.message


async def test_index_path_that_does_not_exist(db_url: str, tmp_path: Path) -> None:
    async with await BookIndex.open(db_url) as index:
        with pytest.raises(BookError) as caught:
            await index.index_path(tmp_path / "nothing-here")
        assert caught.value.code == "book_path_not_found"


EXAMPLE = Path(__file__).resolve().parents[2] / "example-site"
_EXAMPLE_SOURCES = [EXAMPLE / "docs", EXAMPLE / "build" / "tutorgpt" / "book-index.json"]


@pytest.mark.skipif(not (EXAMPLE / "golden-facts.json").is_file(), reason="no example site")
@pytest.mark.parametrize("source", _EXAMPLE_SOURCES, ids=["docs-folder", "export"])
async def test_example_book_golden_facts_cite_the_right_section_first(db_url: str, source: Path) -> None:
    if not source.exists():
        pytest.skip(f"{source} is not built")
    facts = json.loads((EXAMPLE / "golden-facts.json").read_text(encoding="utf-8"))["lessons"]
    async with await BookIndex.open(db_url) as index:
        await index.index_path(source)
        for fact in facts:
            first = (await search_book_content(index, fact["question"], k=3)).hits[0]
            assert (first.chapter_id, first.lesson_id, first.anchor) == (
                fact["chapter_id"],
                fact["lesson_id"],
                fact["anchor"],
            ), fact["question"]
            assert first.url == f"{fact['permalink']}#{fact['anchor']}"


@pytest.mark.anyio
async def test_snippets_never_carry_half_a_code_fence(tmp_path: Path, db_url: str) -> None:
    docs = tmp_path / "code-docs"
    docs.mkdir()
    (docs / "async.md").write_text(
        "# Async\n\n## Main\n\nStart the loop like this:\n\n```python\nimport asyncio\n\n"
        "async def main():\n    await asyncio.sleep(1)\n\nasyncio.run(main())\n```\n\n"
        "The event loop runs main until it returns.\n",
        encoding="utf-8",
    )
    index = await BookIndex.open(db_url)
    try:
        await index.index_path(docs)
        result = await search_book_content(index, "asyncio sleep main", k=1)
    finally:
        await index.close()
    [hit] = result.hits
    assert "**asyncio**" in hit.snippet
    assert "```" not in hit.snippet and "\n" not in hit.snippet


OFF_BOOK = [
    "What is the boiling point of tungsten on Mars?",
    "How do I bake sourdough bread with a long overnight proof?",
    "Which scope should I buy for a hunting rifle?",
]


async def test_every_hit_has_a_coverage_and_off_book_questions_are_weak(db_url: str) -> None:
    async with await BookIndex.open(db_url) as index:
        await index.index_path(DOCS)
        for question, _ in GOLDEN:
            result = await search_book_content(index, question, k=3)
            assert not result.weak_match, question
            assert result.hits[0].coverage >= result.needed_coverage > 0
            assert all(0.0 <= hit.coverage <= 1.0 for hit in result.hits)
            assert result.note is None or "weak_match" not in result.note
        for question in OFF_BOOK:
            result = await search_book_content(index, question, k=3)
            assert result.weak_match, (question, [hit.coverage for hit in result.hits])
            assert result.note and "weak_match" in result.note


async def test_coverage_is_judged_on_the_judge_text_only(db_url: str) -> None:
    async with await BookIndex.open(db_url) as index:
        await index.index_path(DOCS)
        question, _ = GOLDEN[2]  # rivets
        quoted = f"{question}\nboiling point of tungsten on Mars"
        assert not (await search_book_content(index, quoted, judge=question)).weak_match
        assert (await search_book_content(index, quoted, judge="boiling point of tungsten on Mars")).weak_match


@pytest.mark.anyio
async def test_a_heading_over_most_of_a_page_does_not_count_as_each_chunks_heading(
    tmp_path: Path, db_url: str
) -> None:
    """Release notes put "What's new in 2.0" over nearly every chunk: the student's "new" must
    not rank them, at heading weight, above the page whose text answers."""
    docs = tmp_path / "notes-docs"
    docs.mkdir()
    (docs / "release.md").write_text(
        "# Release 2.0\n\n## What's new in 2.0\n\n### Admin\n\nThe admin gained a dark theme.\n\n"
        "### Forms\n\nForms render faster.\n\n### Caching\n\nThe cache keeps fewer keys.\n\n"
        "## Upgrading\n\nRead the deprecation list.\n",
        encoding="utf-8",
    )
    (docs / "migrations.md").write_text(
        "# Migrations\n\n## Data\n\n### Filling columns\n\nA data migration fills a new column for "
        "existing rows: write a function and run it with RunPython.\n\n## Squashing\n\nSquash old "
        "migrations into one.\n\n## Reverting\n\nMigrate to an earlier name.\n",
        encoding="utf-8",
    )
    book = read_docs_folder(docs)
    _, _, fts = rows(list(book.pages), 1, 1)
    headings = {row[3].split()[1]: row[2] for row in fts if len(row[3].split()) > 1}
    assert headings["admin"] == "Admin" and headings["cache"] == "Caching"  # not "What's new in 2.0 / …"
    assert headings["data"] == "Data / Filling columns"  # an outer heading over a few chunks stays
    index = await BookIndex.open(db_url)
    try:
        await index.index_path(docs)
        result = await search_book_content(index, "new", k=5)
    finally:
        await index.close()
    order = [hit.heading_path[-1] for hit in result.hits]
    assert "Filling columns" in order[:2]  # after the section that is itself "What's new in 2.0"
    assert not {"Admin", "Forms", "Caching"} & set(order)  # "new" is in none of their text
