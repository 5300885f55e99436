"""Reading book-index.json: the same ids and anchors as the docs folder, strict versioning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tutorgpt_asgi.book.docs_folder import read_docs_folder
from tutorgpt_asgi.book.errors import BookError
from tutorgpt_asgi.book.export import read_export
from tutorgpt_asgi.book.model import Book

from .conftest import DOCS, EXPORT


def _ids(book: Book) -> dict[str, tuple[Any, ...]]:
    return {
        page.doc_id: (
            page.permalink,
            page.chapter_id,
            page.lesson_id,
            page.role,
            tuple(section.anchor for section in page.sections),
            tuple(section.heading_path for section in page.sections),
            tuple((h.text, h.anchor) for h in page.headings if h.depth in (2, 3)),
        )
        for page in book.pages
    }


def test_both_sources_give_the_same_ids_and_anchors() -> None:
    from_docs = read_docs_folder(DOCS)
    from_export = read_export(EXPORT)
    assert _ids(from_export) == _ids(from_docs)
    assert [(c.id, c.lesson_ids) for c in from_export.chapters] == [
        (c.id, c.lesson_ids) for c in from_docs.chapters
    ]
    assert from_export.site_url == "https://widgets.example.com"
    assert from_export.source_kind == "export"


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "book-index.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_unknown_schema_version_is_refused(tmp_path: Path) -> None:
    data = json.loads(EXPORT.read_text(encoding="utf-8"))
    data["schema_version"] = 2
    with pytest.raises(BookError) as caught:
        read_export(_write(tmp_path, data))
    assert caught.value.code == "book_schema_unsupported"
    assert "schema_version 2" in caught.value.message and "reads schema_version 1" in caught.value.message


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("{not json", "book_index_invalid"),
        ("[]", "book_index_invalid"),
        ('{"schema_version": 1}', "book_index_invalid"),
        ('{"schema_version": 1, "pages": [{"doc_id": "a"}]}', "book_index_invalid"),
        ('{"pages": []}', "book_schema_unsupported"),
    ],
)
def test_broken_exports_are_clear_errors(tmp_path: Path, content: str, code: str) -> None:
    path = tmp_path / "book-index.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BookError) as caught:
        read_export(path)
    assert caught.value.code == code


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BookError) as caught:
        read_export(tmp_path / "nope.json")
    assert caught.value.code == "book_path_not_found"


def test_extra_fields_are_tolerated_and_code_kept_searchable(tmp_path: Path) -> None:
    data = {
        "schema_version": 1,
        "future_field": {"anything": True},
        "site": {"url": "https://x.example", "new_key": 1},
        "chapters": [
            {"id": "c", "title": "C", "position": 0, "permalink": None, "lesson_ids": ["l"], "extra": 1}
        ],
        "pages": [
            {
                "doc_id": "c/l",
                "permalink": "/docs/c/l",
                "title": "L",
                "chapter_id": "c",
                "lesson_id": "l",
                "role": "lesson",
                "sections": [
                    {
                        "anchor": "code",
                        "heading_path": ["L", "Code"],
                        "text": "Prose only.",
                        "code_blocks": [{"lang": "python", "code": "frobnicate()"}],
                        "tokens": 12,
                    }
                ],
                "reading_time": 3,
            }
        ],
    }
    book = read_export(_write(tmp_path, data))
    section = book.pages[0].sections[0]
    assert "frobnicate()" in section.text and section.code_blocks[0].lang == "python"
    assert book.pages[0].description == "" and book.pages[0].position is None


EXAMPLE = Path(__file__).resolve().parents[2] / "example-site"


@pytest.mark.skipif(
    not (EXAMPLE / "build" / "tutorgpt" / "book-index.json").is_file(), reason="the example site is not built"
)
def test_example_site_export_matches_its_docs_folder() -> None:
    """The plugin's real export and this reader agree on every id, permalink and anchor."""
    from_docs = read_docs_folder(EXAMPLE / "docs")
    from_export = read_export(EXAMPLE / "build" / "tutorgpt" / "book-index.json")
    assert _ids(from_export) == _ids(from_docs)
    chapters = [(c.id, c.title, c.position, c.permalink, c.lesson_ids) for c in from_docs.chapters]
    assert [(c.id, c.title, c.position, c.permalink, c.lesson_ids) for c in from_export.chapters] == chapters
