"""What the index stores for a book: page, chunk and chapter rows and the keys they use.

Kept apart from :mod:`.index` (which owns the connections and transactions) so the row layout
and the keys pages are found by (instance, version, doc id; a tolerant path key) are one place.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from typing import Any

from tutorgpt_asgi.store.database import Transaction

from .chunking import MAX_WORDS, OVERLAP_WORDS, TARGET_WORDS, Chunk, chunk_page
from .model import Book, Page, shelf_key

#: Bump when the stored layout or the chunking changes: the index is rebuilt from scratch.
INDEX_FORMAT = 6


def fingerprint(page: Page) -> str:
    payload = json.dumps(
        [INDEX_FORMAT, TARGET_WORDS, MAX_WORDS, OVERLAP_WORDS, dataclasses.asdict(page)],
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def page_key(page: Page) -> str:
    """Pages are keyed by docs instance, version and doc id (``intro`` exists in each)."""
    return f"{page.shelf}:{page.doc_id}"


def path_key(path: str) -> str:
    """A permalink or page path without its trailing slash or ``index.html`` (lookups tolerate both)."""
    path = path.split("#", 1)[0].split("?", 1)[0]
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path.rstrip("/") or "/"


async def write_chapters(db: Transaction, book: Book) -> None:
    await db.execute("DELETE FROM chapters")
    await db.executemany(
        "INSERT OR REPLACE INTO chapters VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (shelf_key(c.docs_instance, c.version), c.id, c.title, c.position, c.permalink,
             json.dumps(c.lesson_ids), c.part_id, c.part_title)
            for c in book.chapters
        ],
    )
    await db.execute("DELETE FROM shelves")
    await db.executemany(
        "INSERT OR REPLACE INTO shelves VALUES (?, ?, ?, ?, ?)",
        [
            (shelf_key(v.docs_instance, v.name), v.docs_instance, v.name, v.label, int(v.is_default))
            for v in book.versions
        ],
    )


def rows(
    pages: list[Page], generation: int, first_id: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Rows for ``pages``, ``chunks`` and ``chunks_fts``; a page's chunks get consecutive ids."""
    page_rows, chunk_rows, fts_rows = [], [], []
    next_id = first_id
    for page in pages:
        page_rows.append(_page_row(page, generation))
        chunks = chunk_page(page)
        common = _common_ancestors(chunks)
        for chunk in chunks:
            path = json.dumps(chunk.heading_path, ensure_ascii=False)
            chunk_rows.append(
                (
                    next_id,
                    page_key(page),
                    page.shelf,
                    page.doc_id,
                    chunk.ordinal,
                    page.chapter_id,
                    page.lesson_id,
                    chunk.anchor,
                    path,
                    page.permalink,
                    page.title,
                )
            )
            headings = [h for h in chunk.heading_path[1:-1] if h not in common] + list(chunk.heading_path[1:][-1:])
            fts_rows.append((next_id, page.title, " / ".join(headings), chunk.text))
            next_id += 1
    return page_rows, chunk_rows, fts_rows


def _common_ancestors(chunks: list[Chunk]) -> set[str]:
    """Outer headings carried by more than half of a page's chunks: left out of those chunks'
    headings field (a chunk's own heading always stays).

    Why: a heading's words count at heading weight in every chunk that carries it, so a heading
    over most of a page tells which chunk answers no better than the page title, yet outweighs
    the body. Django's release notes put "What's new in Django 4.1" over nearly every chunk,
    and a student's "new" then ranked them above the migrations page (``bench/README.md``).
    Counted per page, so re-indexing one page never changes another page's rows.
    """
    carried = Counter(heading for chunk in chunks for heading in set(chunk.heading_path[1:-1]))
    return {heading for heading, count in carried.items() if 2 * count > len(chunks)}


def _page_row(page: Page, generation: int) -> tuple[Any, ...]:
    headings = json.dumps([dataclasses.asdict(h) for h in page.headings], ensure_ascii=False)
    return (
        page_key(page),
        page.shelf,
        page.docs_instance,
        page.version,
        page.doc_id,
        page.permalink,
        path_key(page.permalink),
        page.title,
        page.description,
        page.part_id,
        page.part_title,
        page.chapter_id,
        page.lesson_id,
        page.role,
        page.position,
        page.source_path,
        page.content_hash,
        fingerprint(page),
        page.word_count,
        len(page.sections),
        headings,
        generation,
    )


