"""Read the plugin's ``book-index.json`` (schema_version 1) into the book model.

The plugin works out ids, permalinks and anchors at build time, so nothing is re-derived here.
The reader is tolerant: unknown fields are ignored and optional ones may be missing, but a wrong
``schema_version`` or a page without its required fields is refused with a clear
:class:`BookError`, because indexing half-understood data would give wrong citations.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import BookError
from .model import Book, Chapter, CodeBlock, Heading, Page, Role, Section, Version

SUPPORTED_SCHEMA_VERSION = 1
_ROLES: frozenset[str] = frozenset({"lesson", "chapter-intro", "page"})


def read_export(path: str | Path) -> Book:
    """Parse and validate one ``book-index.json`` file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BookError("book_path_not_found", f"{path} does not exist") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BookError("book_index_invalid", f"{path} is not valid JSON ({error})") from None
    return book_from_export(data, where=str(path))


def book_from_export(data: Any, *, where: str = "book-index.json") -> Book:
    if not isinstance(data, dict):
        raise BookError("book_index_invalid", f"{where}: the top level must be an object")
    version = data.get("schema_version")
    if version != SUPPORTED_SCHEMA_VERSION:
        raise BookError(
            "book_schema_unsupported",
            f"{where}: schema_version {version!r} is not supported; this TutorGPT reads "
            f"schema_version {SUPPORTED_SCHEMA_VERSION} (upgrade tutorgpt-asgi or the plugin so they match)",
        )
    if not isinstance(data.get("pages"), list):
        raise BookError("book_index_invalid", f"{where}: 'pages' must be a list")
    site = _dict(data.get("site"))
    pages = tuple(
        _page(item, f"{where}: pages[{number}]") for number, item in enumerate(_list(data.get("pages")))
    )
    chapters = tuple(
        _chapter(item, f"{where}: chapters[{number}]")
        for number, item in enumerate(_list(data.get("chapters")))
    )
    return Book(
        chapters=chapters,
        pages=pages,
        source_kind="export",
        site_url=_optional_str(site.get("url")),
        base_url=_optional_str(site.get("base_url")) or "/",
        title=_optional_str(site.get("title")),
        versions=_versions(data, site, pages),
    )


def _versions(data: dict[str, Any], site: dict[str, Any], pages: tuple[Page, ...]) -> tuple[Version, ...]:
    """The export's versions; an export without the list (one version) gets one default shelf each."""
    listed = [item for item in _list(data.get("versions")) if isinstance(item, dict)]
    versions = [
        Version(
            docs_instance=_optional_str(item.get("docs_instance")) or "default",
            name=_optional_str(item.get("name")) or "current",
            label=_optional_str(item.get("label")) or _optional_str(item.get("name")) or "current",
            is_default=item.get("is_default") is True,
        )
        for item in listed
    ]
    known = {(v.docs_instance, v.name) for v in versions}
    for page in pages:
        if (page.docs_instance, page.version) not in known:
            known.add((page.docs_instance, page.version))
            default = not any(v.docs_instance == page.docs_instance and v.is_default for v in versions)
            versions.append(Version(page.docs_instance, page.version, page.version, default))
    return tuple(versions)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _required_str(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise BookError("book_index_invalid", f"{where}: '{key}' must be a non-empty string")
    return value


def _optional_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _chapter(item: Any, where: str) -> Chapter:
    if not isinstance(item, dict):
        raise BookError("book_index_invalid", f"{where}: must be an object")
    lessons = _list(item.get("lesson_ids"))
    return Chapter(
        id=_required_str(item, "id", where),
        title=_optional_str(item.get("title")) or item["id"],
        position=_number(item.get("position")),
        permalink=_optional_str(item.get("permalink")),
        lesson_ids=tuple(str(lesson) for lesson in lessons),
        docs_instance=_optional_str(item.get("docs_instance")) or "default",
        version=_optional_str(item.get("version")) or "current",
        part_id=_optional_str(item.get("part_id")),
        part_title=_optional_str(item.get("part_title")),
    )


def _page(item: Any, where: str) -> Page:
    if not isinstance(item, dict):
        raise BookError("book_index_invalid", f"{where}: must be an object")
    doc_id = _required_str(item, "doc_id", where)
    where = f"{where} ({doc_id})"
    title = _required_str(item, "title", where)
    role = (
        str(item["role"])
        if item.get("role") in _ROLES
        else ("page" if item.get("chapter_id") is None else "lesson")
    )
    sections_data = item.get("sections")
    if sections_data is None and isinstance(item.get("text"), str):
        sections_data = [{"anchor": None, "heading_path": [title], "text": item["text"]}]
    if not isinstance(sections_data, list):
        raise BookError("book_index_invalid", f"{where}: 'sections' must be a list")
    headings_data = _list(item.get("headings"))
    tags = _list(item.get("tags"))
    front = _dict(item.get("front_matter"))
    return Page(
        doc_id=doc_id,
        permalink=_required_str(item, "permalink", where),
        title=title,
        description=_optional_str(item.get("description")) or "",
        chapter_id=_optional_str(item.get("chapter_id")),
        lesson_id=_required_str(item, "lesson_id", where),
        role=_role(role),
        position=_number(item.get("position")),
        source_path=_optional_str(item.get("source_path")) or "",
        sections=tuple(
            _section(section, title, f"{where}: sections[{n}]") for n, section in enumerate(sections_data)
        ),
        headings=tuple(
            Heading(int(h.get("depth", 2)), str(h.get("text", "")), str(h["anchor"]))
            for h in headings_data
            if isinstance(h, dict) and h.get("anchor")
        ),
        tags=tuple(str(tag.get("label", "")) if isinstance(tag, dict) else str(tag) for tag in tags),
        content_hash=_optional_str(item.get("content_hash")) or "",
        front_matter=front,
        docs_instance=_optional_str(item.get("docs_instance")) or "default",
        version=_optional_str(item.get("version")) or "current",
        part_id=_optional_str(item.get("part_id")),
        part_title=_optional_str(item.get("part_title")),
    )


def _role(value: str) -> Role:
    if value == "lesson":
        return "lesson"
    if value == "chapter-intro":
        return "chapter-intro"
    return "page"


def _section(item: Any, title: str, where: str) -> Section:
    if not isinstance(item, dict):
        raise BookError("book_index_invalid", f"{where}: must be an object")
    path = item.get("heading_path")
    heading_path = tuple(str(part) for part in path) if isinstance(path, list) and path else (title,)
    text = item["text"] if isinstance(item.get("text"), str) else ""
    code_data = _list(item.get("code_blocks"))
    code = tuple(
        CodeBlock(_optional_str(block.get("lang")), str(block.get("code", "")))
        for block in code_data
        if isinstance(block, dict)
    )
    missing = [block for block in code if block.code and block.code not in text]
    if missing:  # exports that keep code apart from prose: make it searchable all the same
        text = "\n\n".join([text, *(f"```{b.lang or ''}\n{b.code}\n```" for b in missing)]).strip()
    return Section(
        anchor=_optional_str(item.get("anchor")), heading_path=heading_path, text=text, code_blocks=code
    )
