"""Read a plain Docusaurus docs folder (``.md``/``.mdx``) into the book model.

For books that do not use the plugin's export. Ids, permalinks and anchors follow Docusaurus
(see :mod:`.docusaurus` and :mod:`.slugger`); chapters and lessons follow the plugin's rules
(spec §5.4, ``ids.chapter = 'directory'``): the chapter is the top-level folder
(``_category_`` ``customProps.chapterId``, else the folder name without its number prefix), the
lesson the last doc id segment (``index``/``README`` → ``overview``, role ``chapter-intro``),
docs at the top level have no chapter, and ``tutor_chapter``/``tutor_lesson``/``tutor_exclude``
front matter wins. Drafts and unlisted docs are left out, as the plugin does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import docusaurus
from .errors import BookError
from .mdx import clean_mdx, split_sections
from .model import Book, Chapter, Page, Role
from .slugger import slug

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<yaml>.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_CATEGORY_FILES = ("_category_.json", "_category_.yml", "_category_.yaml")
_INDEX_LESSONS = frozenset({"index", "readme"})


@dataclass(frozen=True)
class _Source:
    path: Path
    relative: str  # posix, relative to the docs folder, with extension


def list_sources(root: Path) -> list[_Source]:
    """Every doc Docusaurus would load: ``**/*.{md,mdx}`` minus ``_``-prefixed files/folders."""
    found: list[_Source] = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".md", ".mdx") or not path.is_file():
            continue
        relative = path.relative_to(root).as_posix()
        if any(part.startswith("_") for part in relative.split("/")):
            continue
        found.append(_Source(path, relative))
    return found


def split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    """YAML front matter and the body after it; bad YAML is a :class:`BookError`."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group("yaml")) or {}
    except yaml.YAMLError as error:
        raise BookError(
            "book_front_matter_invalid", f"{where}: front matter is not valid YAML ({error})"
        ) from None
    if not isinstance(data, dict):
        raise BookError("book_front_matter_invalid", f"{where}: front matter must be a mapping")
    return _json_safe(data), text[match.end() :]


def _json_safe(value: Any) -> Any:
    """YAML dates become ISO strings so front matter can be stored as JSON."""
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class _Category:
    folder: str  # raw top-level folder name
    chapter_id: str
    label: str | None
    position: float | None  # from the category file only


def _read_category(folder: Path) -> dict[str, Any]:
    for name in _CATEGORY_FILES:
        path = folder / name
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except (yaml.YAMLError, UnicodeDecodeError) as error:
                raise BookError("book_category_invalid", f"{path}: cannot be read ({error})") from None
            if not isinstance(data, dict):
                raise BookError("book_category_invalid", f"{path}: must be an object")
            return data
    return {}


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _text(value: Any) -> str | None:
    return str(value).strip() if value is not None and str(value).strip() else None


def read_docs_folder(
    root: str | Path,
    *,
    base_url: str = "/",
    route_base_path: str = "docs",
    progress: Callable[[int, int], None] | None = None,
) -> Book:
    """Read every doc under ``root``; ``progress(done, total)`` is called as pages are parsed."""
    return Book(**_read(Path(root), base_url, route_base_path, progress))


def _parse_doc(source: _Source, base_url: str, route_base_path: str) -> dict[str, Any] | None:
    raw = source.path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BookError("book_file_unreadable", f"{source.path}: not UTF-8 text") from None
    front, body = split_front_matter(text, str(source.path))
    if _flag(front.get("tutor_exclude")) or _flag(front.get("draft")) or _flag(front.get("unlisted")):
        return None
    prefixes = front.get("parse_number_prefixes", True) is not False
    fm_id = _text(front.get("id"))
    if fm_id and "/" in fm_id:
        raise BookError("book_front_matter_invalid", f"{source.path}: id {fm_id!r} cannot contain a slash")
    the_id = docusaurus.doc_id(source.relative, fm_id, parse_prefixes=prefixes)
    base_id = the_id.rsplit("/", 1)[-1]
    fm_slug = _text(front.get("slug"))
    url = docusaurus.permalink(
        docusaurus.doc_slug(source.relative, base_id, fm_slug, parse_prefixes=prefixes),
        base_url=base_url,
        route_base_path=route_base_path,
    )
    parsed = split_sections(clean_mdx(body), _text(front.get("title")))
    title = _text(front.get("title")) or parsed.content_title or base_id
    stem = posixpath.splitext(posixpath.basename(source.relative))[0]
    position = front.get("sidebar_position")
    if not isinstance(position, (int, float)):
        position = docusaurus.parse_number_prefix(stem)[1]
    tags = front.get("tags") or []
    return {
        "doc_id": the_id,
        "permalink": url,
        "title": title,
        "description": _text(front.get("description")) or (parsed.first_paragraph or "")[:300],
        "position": position,
        "source_path": source.relative,
        "sections": parsed.sections,
        "headings": parsed.headings,
        "tags": tuple(str(tag.get("label", tag) if isinstance(tag, dict) else tag) for tag in tags)
        if isinstance(tags, list)
        else (),
        "content_hash": "sha256:" + hashlib.sha256(raw).hexdigest(),
        "front_matter": front,
        "top_folder": source.relative.split("/")[0] if "/" in source.relative else None,
        "tutor_chapter": _text(front.get("tutor_chapter")),
        "tutor_lesson": _text(front.get("tutor_lesson")),
        "is_index": docusaurus.is_category_index(stem, posixpath.dirname(source.relative) or "."),
    }


def _read(
    root: Path, base_url: str, route_base_path: str, progress: Callable[[int, int], None] | None
) -> dict[str, Any]:
    if not root.is_dir():
        raise BookError("book_path_not_found", f"{root} is not a docs folder")
    sources = list_sources(root)
    if not sources:
        raise BookError("book_empty", f"{root} holds no .md or .mdx docs")
    raw_pages: list[dict[str, Any]] = []
    for number, source in enumerate(sources, start=1):
        page = _parse_doc(source, base_url, route_base_path)
        if page is not None:
            raw_pages.append(page)
        if progress is not None:
            progress(number, len(sources))
    return _assemble(root, raw_pages)


def _assemble(root: Path, raw_pages: list[dict[str, Any]]) -> dict[str, Any]:
    """Give parsed docs their chapter and lesson, and build the chapter list."""
    categories: dict[str, _Category] = {}
    for folder in sorted({page["top_folder"] for page in raw_pages if page["top_folder"]}):
        data = _read_category(root / folder)
        props = data["customProps"] if isinstance(data.get("customProps"), dict) else {}
        position = data.get("position")
        categories[folder] = _Category(
            folder=folder,
            chapter_id=_text(props.get("chapterId")) or slug(docusaurus.parse_number_prefix(folder)[0]),
            label=_text(data.get("label")),
            position=position if isinstance(position, (int, float)) else None,
        )
    pages: list[Page] = []
    warnings: list[str] = []
    seen: dict[tuple[str | None, str], str] = {}
    for raw in raw_pages:
        folder = raw["top_folder"]
        chapter_id = raw["tutor_chapter"] or (categories[folder].chapter_id if folder else None)
        last = raw["doc_id"].rsplit("/", 1)[-1]
        role: Role = "page" if chapter_id is None else "lesson"
        lesson_id = last
        if last.lower() in _INDEX_LESSONS:
            lesson_id, role = "overview", "chapter-intro"
        if raw["tutor_lesson"]:
            lesson_id = raw["tutor_lesson"]
        key = (chapter_id, lesson_id)
        if key in seen:
            warnings.append(
                f"{raw['doc_id']} has the same chapter/lesson ids as {seen[key]}: {chapter_id}/{lesson_id}"
            )
        seen[key] = raw["doc_id"]
        pages.append(
            Page(
                doc_id=raw["doc_id"],
                permalink=raw["permalink"],
                title=raw["title"],
                description=raw["description"],
                chapter_id=chapter_id,
                lesson_id=lesson_id,
                role=role,
                position=raw["position"],
                source_path=raw["source_path"],
                sections=raw["sections"],
                headings=raw["headings"],
                tags=raw["tags"],
                content_hash=raw["content_hash"],
                front_matter=raw["front_matter"],
            )
        )
    return {
        "chapters": _chapters(root, categories, raw_pages, pages),
        "pages": tuple(pages),
        "source_kind": "docs-folder",
        "warnings": tuple(warnings),
    }


def _lesson_order(pages: list[Page], chapter_id: str) -> tuple[str, ...]:
    """Lessons in sidebar order: the chapter intro first, then by position and file name."""
    members = [page for page in pages if page.chapter_id == chapter_id]
    members.sort(
        key=lambda p: (p.role != "chapter-intro", p.position is None, p.position or 0, p.source_path)
    )
    return tuple(page.lesson_id for page in members)


def _sidebar_ranks(
    root: Path, categories: dict[str, _Category], intro: dict[str, dict[str, Any]]
) -> dict[str, int]:
    """Each chapter folder's index among the top-level items of the autogenerated sidebar.

    Docusaurus sorts those items (top-level docs and category folders, excluded docs included)
    by position, items without one last, then by file or folder name.
    """
    items: list[tuple[bool, float, str]] = []
    for path in sorted(root.iterdir()):
        if path.name.startswith("_") or not path.is_file() or path.suffix not in (".md", ".mdx"):
            continue
        front, _ = split_front_matter(path.read_text(encoding="utf-8-sig"), str(path))
        if _flag(front.get("draft")):
            continue
        position = front.get("sidebar_position")
        if not isinstance(position, (int, float)):
            position = docusaurus.parse_number_prefix(path.stem)[1]
        items.append((position is None, position or 0, path.name))
    for folder, category in categories.items():
        position = category.position
        if position is None and folder in intro:
            position = intro[folder]["position"]
        if position is None:
            position = docusaurus.parse_number_prefix(folder)[1]
        items.append((position is None, position or 0, folder))
    return {item[2]: rank for rank, item in enumerate(sorted(items)) if item[2] in categories}


def _chapters(
    root: Path, categories: dict[str, _Category], raw_pages: list[dict[str, Any]], pages: list[Page]
) -> tuple[Chapter, ...]:
    """Chapters in sidebar order, titled by their category label or their intro doc."""
    intro: dict[str, dict[str, Any]] = {}
    for raw in raw_pages:
        if raw["top_folder"] and raw["is_index"] and raw["source_path"].count("/") == 1:
            intro[raw["top_folder"]] = raw
    ranks = _sidebar_ranks(root, categories, intro)
    chapters: list[Chapter] = []
    for category in sorted(categories.values(), key=lambda c: ranks[c.folder]):
        link = intro.get(category.folder)
        fm = link["front_matter"] if link else {}
        label = category.label or _text(fm.get("sidebar_label")) or (link["title"] if link else None)
        chapters.append(
            Chapter(
                id=category.chapter_id,
                title=label or docusaurus.parse_number_prefix(category.folder)[0],
                position=ranks[category.folder],
                permalink=link["permalink"] if link else None,
                lesson_ids=_lesson_order(pages, category.chapter_id),
            )
        )
    known = {chapter.id for chapter in chapters}
    for override in sorted({p.chapter_id for p in pages if p.chapter_id and p.chapter_id not in known}):
        lessons = _lesson_order(pages, override)
        chapters.append(Chapter(override, override, len(chapters), None, lessons))
    return tuple(chapters)
