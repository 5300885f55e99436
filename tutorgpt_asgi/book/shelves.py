"""Versions and docs instances in the index (shelves), and finding the page at a path.

A book can hold several docs instances (``default``, ``community``) and several versions of
each (``current`` = the unreleased ``/docs/next/``, ``1.0``...). Each (instance, version) is a
*shelf*. A reader on ``/docs/next/...`` should get answers from ``next``, not from the released
version, so search stays on the reader's shelf, plus the default shelf of every other instance
(a question on a community page may still be about the book). Without a known shelf, search
uses every instance's default version: what the site serves at its root.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .index import BookIndex
from .model import shelf_key
from .rows import path_key

#: A locale path segment as Docusaurus uses them (``fr``, ``pt-BR``, ``zh-Hans``).
_LOCALE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


async def reader_shelves(index: BookIndex, docs_instance: str | None, version: str | None) -> tuple[str, ...]:
    """The shelves a search from this reader covers (see the module docstring)."""
    rows = await index.fetchall("SELECT shelf, docs_instance, is_default FROM shelves")
    wanted = shelf_key(docs_instance or "default", version) if version else None
    own = next((shelf for shelf, _, _ in rows if shelf == wanted), None)
    chosen = [own] if own else []
    for shelf, instance, is_default in rows:
        if is_default and not (own and instance == (docs_instance or "default")):
            chosen.append(shelf)
    return tuple(chosen)


@dataclass(frozen=True, slots=True)
class PageRef:
    """What the index knows about the page at a path: enough to fill a reader's context."""

    doc_id: str
    permalink: str
    title: str
    docs_instance: str
    version: str
    part_id: str | None
    part_title: str | None
    chapter_id: str | None
    chapter_title: str | None
    lesson_id: str


_PAGE_AT = """
SELECT p.doc_id, p.permalink, p.title, p.docs_instance, p.version, p.part_id, p.part_title,
       p.chapter_id, c.title, p.lesson_id, p.path_key
FROM pages AS p LEFT JOIN chapters AS c ON c.shelf = p.shelf AND c.id = p.chapter_id
WHERE p.path_key IN ({placeholders})
"""


def path_candidates(page_path: str, base_url: str) -> list[str]:
    """``page_path`` as given, then with ``baseUrl`` and a locale prefix tolerated.

    The path is taken relative to ``baseUrl`` when it starts with it; a leading locale segment
    (``/fr/docs/x``, a site built for another locale) is dropped; each form is tried with and
    without ``baseUrl``. The most literal form comes first.
    """
    path = path_key(page_path if page_path.startswith("/") else "/" + page_path)
    base = path_key(base_url)
    inner = path
    if base != "/" and (path == base or path.startswith(base + "/")):
        inner = path_key(path[len(base) :])
    forms = [inner]
    segments = inner.strip("/").split("/")
    if len(segments) > 1 and _LOCALE.match(segments[0]):
        forms.append("/" + "/".join(segments[1:]))
    candidates = [path]
    for form in forms:
        candidates += [path_key(base + form), form] if base != "/" else [form]
    return list(dict.fromkeys(candidates))


async def page_at(index: BookIndex, page_path: str) -> PageRef | None:
    """The indexed page at ``page_path`` (trailing slash, ``baseUrl`` and locale tolerated)."""
    rows = await index.fetchall("SELECT value FROM meta WHERE key = 'base_url'")
    candidates = path_candidates(page_path, str(rows[0][0]) if rows else "/")
    found = await index.fetchall(
        _PAGE_AT.format(placeholders=", ".join("?" for _ in candidates)), candidates
    )
    if not found:
        return None
    best = min(found, key=lambda row: candidates.index(row[10]))
    return PageRef(*best[:10])


async def book_title(index: BookIndex) -> str | None:
    """The indexed book's own name (the export's site title), if it has one."""
    rows = await index.fetchall("SELECT value FROM meta WHERE key = 'title'")
    return str(rows[0][0]) or None if rows else None
