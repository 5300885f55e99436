"""Re-indexing: only changed pages are rewritten, and searches never see half a rebuild."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import anyio
import pytest

from tutorgpt_asgi.book import BookIndex, search_book_content

pytestmark = pytest.mark.anyio


def _rows(db_path: Path) -> dict[str, tuple[int, tuple[int, ...]]]:
    """doc_id → (generation, chunk ids), read with a plain sqlite3 connection."""
    with sqlite3.connect(db_path) as db:
        pages = dict(db.execute("SELECT doc_id, generation FROM pages"))
        chunks: dict[str, list[int]] = {}
        for doc_id, chunk_id in db.execute("SELECT doc_id, id FROM chunks ORDER BY id"):
            chunks.setdefault(doc_id, []).append(chunk_id)
    return {doc_id: (generation, tuple(chunks.get(doc_id, ()))) for doc_id, generation in pages.items()}


async def test_only_the_changed_page_is_rewritten(docs_copy: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "book.db"
    async with await BookIndex.open(f"sqlite:///{db_path}") as index:
        first = await index.index_path(docs_copy)
        assert (first.added, first.updated, first.removed, first.unchanged) == (8, 0, 0, 0)
        before = _rows(db_path)

        again = await index.index_path(docs_copy)
        assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 8)
        assert _rows(db_path) == before

        lesson = docs_copy / "02-advanced" / "01-tuning.md"
        lesson.write_text(
            lesson.read_text(encoding="utf-8").replace("432 hertz", "528 hertz"), encoding="utf-8"
        )
        changed = await index.index_path(docs_copy)
        assert (changed.added, changed.updated, changed.removed, changed.unchanged) == (0, 1, 0, 7)
        after = _rows(db_path)
        for doc_id, row in before.items():
            if doc_id == "advanced/tuning-guide":
                assert row[0] < after[doc_id][0] and not set(row[1]) & set(after[doc_id][1])
            else:
                assert after[doc_id] == row, doc_id
        hit = (await search_book_content(index, "528 hertz", k=1)).hits[0]
        assert hit.lesson_id == "tuning-guide"
        assert (await search_book_content(index, "432")).hits == ()

        (docs_copy / "02-advanced" / "2021-11-release-notes.md").unlink()
        removed = await index.index_path(docs_copy)
        assert (removed.removed, removed.unchanged, removed.pages) == (1, 7, 7)
        assert (await search_book_content(index, "flux capacitor")).hits == ()


def _write_book(root: Path, marker: str, pages: int) -> None:
    for number in range(pages):
        folder = root / f"{number % 5:02d}-part{number % 5}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{number:03d}-page{number}.md").write_text(
            f"# Page {number}\n\nThis page carries the {marker} marker and filler about page {number}.\n",
            encoding="utf-8",
        )


async def test_searches_during_a_rebuild_see_old_or_new_never_both(tmp_path: Path) -> None:
    pages = 60
    old, new = tmp_path / "old", tmp_path / "new"
    _write_book(old, "alphaversion", pages)
    _write_book(new, "betaversion", pages)
    seen: list[set[str]] = []
    during = 0  # searches that began while the rebuild ran: what the test is about
    async with await BookIndex.open(f"sqlite:///{tmp_path / 'book.db'}") as index:
        await index.index_path(old)
        searched, done = anyio.Event(), anyio.Event()

        async def rebuild() -> None:
            # After the first search, so at least one search starts while the rebuild runs
            # however the two tasks are scheduled on a loaded machine.
            await searched.wait()
            await index.index_path(new)
            done.set()

        async def search_until_done() -> None:
            nonlocal during
            while True:
                finished = done.is_set()
                during += searched.is_set() and not finished
                result = await search_book_content(index, "alphaversion betaversion", k=50)
                versions = {"alpha" if "alphaversion" in h.snippet else "beta" for h in result.hits}
                assert len(result.hits) == 50, len(result.hits)
                seen.append(versions)
                searched.set()
                if finished:
                    return

        with anyio.fail_after(20):
            async with anyio.create_task_group() as group:
                group.start_soon(search_until_done)
                group.start_soon(rebuild)
    assert all(len(versions) == 1 for versions in seen), seen
    assert seen[0] == {"alpha"} and seen[-1] == {"beta"}
    assert during >= 1
