"""Reading the fixture docs folder: ids, chapters, lessons, anchors and MDX clean-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutorgpt_asgi.book.docs_folder import read_docs_folder
from tutorgpt_asgi.book.errors import BookError
from tutorgpt_asgi.book.mdx import clean_mdx, split_sections
from tutorgpt_asgi.book.model import Book, Page

from .conftest import DOCS


@pytest.fixture(scope="module")
def book() -> Book:
    return read_docs_folder(DOCS)


def _page(book: Book, doc_id: str) -> Page:
    return next(page for page in book.pages if page.doc_id == doc_id)


def test_pages_ids_and_permalinks(book: Book) -> None:
    got = {(p.doc_id, p.permalink, p.chapter_id, p.lesson_id, p.role) for p in book.pages}
    assert got == {
        ("intro", "/docs/intro", None, "intro", "page"),
        ("basics/index", "/docs/basics/", "widgets", "overview", "chapter-intro"),
        ("basics/first-steps", "/docs/basics/first-steps", "widgets", "first-steps", "lesson"),
        ("basics/gadgets", "/docs/basics/gadgets", "widgets", "gadgets", "lesson"),
        ("advanced/index", "/docs/advanced/", "advanced", "overview", "chapter-intro"),
        ("advanced/tuning-guide", "/docs/advanced/tune", "advanced", "tuning-guide", "lesson"),
        ("advanced/edge-cases", "/docs/advanced/edge-cases", "advanced", "special-cases", "lesson"),
        (
            "advanced/2021-11-release-notes",
            "/docs/advanced/2021-11-release-notes",
            "advanced",
            "2021-11-release-notes",
            "lesson",
        ),
    }


def test_excluded_draft_and_partial_docs_are_skipped(book: Book) -> None:
    ids = {page.doc_id for page in book.pages}
    assert "about" not in ids  # tutor_exclude: true
    assert "draft-notes" not in ids  # draft: true
    assert not any("shared" in doc_id for doc_id in ids)  # _partials/
    text = " ".join(page.text for page in book.pages)
    for secret in ("xylophonic", "quasarwidgets", "zanzibarian"):
        assert secret not in text


def test_chapters_from_category_files_and_intro_docs(book: Book) -> None:
    # Positions are indexes in the sidebar: intro.md (sidebar_position 1) comes first.
    chapters = [(c.id, c.title, c.position, c.permalink, c.lesson_ids) for c in book.chapters]
    assert chapters == [
        ("widgets", "Basics of widgets", 1, "/docs/basics/", ("overview", "first-steps", "gadgets")),
        (
            "advanced",
            "Advanced widgets",
            2,
            "/docs/advanced/",
            ("overview", "special-cases", "tuning-guide", "2021-11-release-notes"),
        ),
    ]


def test_titles_and_positions(book: Book) -> None:
    assert _page(book, "advanced/index").title == "Advanced widgets"  # from the h1
    assert _page(book, "advanced/tuning-guide").position == 5  # sidebar_position wins
    assert _page(book, "basics/gadgets").position == 2  # number prefix
    assert _page(book, "advanced/2021-11-release-notes").position is None


def test_anchors_duplicates_and_explicit_ids(book: Book) -> None:
    page = _page(book, "basics/first-steps")
    assert [(h.depth, h.text, h.anchor) for h in page.headings] == [
        (1, "First steps", "first-steps"),
        (2, "Setup", "setup"),
        (2, "Setup", "setup-1"),
        (2, "Tools & Materials: the essentials", "tools--materials-the-essentials"),
        (3, "Why copper?", "why-copper"),
        (2, "C++ / Python, 100% ready!", "c--python-100-ready"),
        (2, "Setup", "custom-setup"),
        (2, "Setup", "setup-2"),  # explicit ids do not take a slug number
        (2, "Ünïcödé résumé — naïve café", "ünïcödé-résumé--naïve-café"),
    ]
    sections = {s.anchor: s for s in page.sections}
    assert sections["why-copper"].heading_path == (
        "First steps",
        "Tools & Materials: the essentials",
        "Why copper?",
    )
    assert sections[None].heading_path == ("First steps",)
    assert "three rivets" in sections[None].text


def test_mdx_is_stripped_but_text_code_and_admonitions_kept(book: Book) -> None:
    page = _page(book, "basics/gadgets")
    text = page.text
    for gone in (
        "import Tabs",
        "export const",
        "hiddenkeyword",
        "<TabItem",
        "groupId",
        "<details>",
        "truncate",
        "#25c2a0",
    ):
        assert gone not in text
    assert "Tip: Pick one at a time" in text
    assert "Warning: Heavy gadgets" in text
    assert "Show the catalogue" in text  # inner text of <summary>
    assert "The gear bell rings once per full turn." in text  # inline JSX unwrapped
    choosing = next(s for s in page.sections if s.anchor == "choosing-a-gadget")
    assert [(c.lang, c.code.splitlines()[0]) for c in choosing.code_blocks] == [
        ("python", "def attach(widget, gadget):"),
        ("js", "export function attach(widget, gadget) {"),
    ]
    assert (
        '```python\ndef attach(widget, gadget):\n    """Attach a gadget to a widget."""\n\n    widget'
        in choosing.text
    )
    catalogue = next(s for s in page.sections if s.anchor == "gadget-catalogue")
    assert "| Sprocket lamp | 120 g | amber |" in catalogue.text


def test_inline_code_keeps_angle_brackets() -> None:
    parsed = split_sections(clean_mdx("Use `<div>` or <b>bold</b> here.\n"), "T")
    assert parsed.sections[0].text == "Use <div> or bold here."


def test_unclosed_fence_and_multiline_tag() -> None:
    source = (
        'Before\n\n<Tabs\n  groupId="x"\n  values={[{label: "a", value: "b"}]}>\n'
        "Inside\n</Tabs>\n\n```py\nprint(1)\n"
    )
    parsed = split_sections(clean_mdx(source), "T")
    text = parsed.sections[0].text
    assert "groupId" not in text and "Inside" in text
    assert parsed.sections[0].code_blocks[0].code == "print(1)"


def test_bad_front_matter_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text("---\ntitle: [unclosed\n---\n\n# Bad\n", encoding="utf-8")
    with pytest.raises(BookError) as caught:
        read_docs_folder(tmp_path)
    assert caught.value.code == "book_front_matter_invalid"
    assert "bad.md" in caught.value.message


def test_missing_or_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(BookError) as caught:
        read_docs_folder(tmp_path / "nope")
    assert caught.value.code == "book_path_not_found"
    with pytest.raises(BookError) as caught:
        read_docs_folder(tmp_path)
    assert caught.value.code == "book_empty"


def test_duplicate_lesson_ids_are_reported(tmp_path: Path) -> None:
    (tmp_path / "ch").mkdir()
    (tmp_path / "ch" / "a.md").write_text("---\ntutor_lesson: same\n---\n# A\n", encoding="utf-8")
    (tmp_path / "ch" / "b.md").write_text("---\ntutor_lesson: same\n---\n# B\n", encoding="utf-8")
    book = read_docs_folder(tmp_path)
    assert len(book.warnings) == 1 and "ch/same" in book.warnings[0]


def test_tutor_chapter_override(tmp_path: Path) -> None:
    (tmp_path / "loose.md").write_text(
        "---\ntutor_chapter: extras\n---\n# Loose\n\nText.\n", encoding="utf-8"
    )
    book = read_docs_folder(tmp_path)
    page = book.pages[0]
    assert (page.chapter_id, page.lesson_id, page.role) == ("extras", "loose", "lesson")
    assert [c.id for c in book.chapters] == ["extras"]
