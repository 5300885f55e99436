"""Fill a reader's context from the book index when it names a page but no lesson.

The contract lets a client send only ``page_path``; the index knows which lesson lives there
(its permalinks), so the tutor still gets lesson and chapter scope. Ids the client did send are
never overwritten.
"""

from __future__ import annotations

import msgspec

from tutorgpt_asgi.book.index import BookIndex
from tutorgpt_asgi.book.shelves import page_at
from tutorgpt_asgi.sessions.context import PageContext


async def locate(book: BookIndex, context: PageContext) -> PageContext:
    """``context`` with doc, part, chapter, lesson, version and instance from ``page_path``."""
    if context.current_lesson or not context.page_path:
        return context
    ref = await page_at(book, context.page_path)
    if ref is None:
        return context
    return msgspec.structs.replace(
        context,
        doc_id=context.doc_id or ref.doc_id,
        page_title=context.page_title or ref.title,
        current_chapter=context.current_chapter or ref.chapter_id,
        chapter_title=context.chapter_title or ref.chapter_title,
        current_lesson=ref.lesson_id,
        lesson_title=context.lesson_title or ref.title,
        part_id=context.part_id or ref.part_id,
        part_title=context.part_title or ref.part_title,
        docs_instance=context.docs_instance or ref.docs_instance,
        version=context.version or ref.version,
    )
