"""The book model both sources are read into: chapters, pages and their h2/h3 sections.

``book-index.json`` (the plugin's export) and a plain docs folder are two ways to get the same
book; everything after reading (chunking, indexing, search) only sees these types, which is what
makes the ids and anchors of both sources comparable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["lesson", "chapter-intro", "page"]


@dataclass(frozen=True, slots=True)
class CodeBlock:
    lang: str | None
    code: str


@dataclass(frozen=True, slots=True)
class Heading:
    depth: int
    text: str
    anchor: str


@dataclass(frozen=True, slots=True)
class Section:
    """Text under one h2/h3 heading (``anchor`` is None for text before the first one).

    ``text`` is blocks separated by blank lines; code blocks stay fenced in it so the chunker can
    keep them whole and searches can still find words in code.
    """

    anchor: str | None
    heading_path: tuple[str, ...]
    text: str
    code_blocks: tuple[CodeBlock, ...] = ()


@dataclass(frozen=True, slots=True)
class Page:
    doc_id: str
    permalink: str
    title: str
    description: str
    chapter_id: str | None
    lesson_id: str
    role: Role
    position: float | None
    source_path: str
    sections: tuple[Section, ...]
    headings: tuple[Heading, ...] = ()
    tags: tuple[str, ...] = ()
    content_hash: str = ""
    front_matter: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    #: The docs plugin instance and version the page belongs to, and the part above its chapter.
    docs_instance: str = "default"
    version: str = "current"
    part_id: str | None = None
    part_title: str | None = None

    @property
    def shelf(self) -> str:
        return shelf_key(self.docs_instance, self.version)

    @property
    def text(self) -> str:
        return "\n\n".join(section.text for section in self.sections if section.text)

    @property
    def word_count(self) -> int:
        return sum(len(section.text.split()) for section in self.sections)


@dataclass(frozen=True, slots=True)
class Chapter:
    id: str
    title: str
    position: float | None
    permalink: str | None
    lesson_ids: tuple[str, ...]
    docs_instance: str = "default"
    version: str = "current"
    part_id: str | None = None
    part_title: str | None = None


@dataclass(frozen=True, slots=True)
class Version:
    """One exported (docs instance, version); ``is_default`` is what the instance serves at its root."""

    docs_instance: str
    name: str
    label: str
    is_default: bool


def shelf_key(docs_instance: str, version: str) -> str:
    """Pages are keyed by instance, version and doc id; a shelf is the first two."""
    return f"{docs_instance}@{version}"


@dataclass(frozen=True, slots=True)
class Book:
    """A whole book as read from one source; ``source_kind`` is ``export`` or ``docs-folder``."""

    chapters: tuple[Chapter, ...]
    pages: tuple[Page, ...]
    source_kind: str
    site_url: str | None = None
    base_url: str = "/"
    title: str | None = None
    warnings: tuple[str, ...] = ()
    versions: tuple[Version, ...] = (Version("default", "current", "current", True),)
