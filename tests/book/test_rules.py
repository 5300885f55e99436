"""Docusaurus naming rules: number prefixes, doc ids, slugs, permalinks and heading anchors.

Expected values were checked by hand against Docusaurus 3.10 (plugin-content-docs numberPrefix,
docs and slug modules) and github-slugger 2.0 run under Node.
"""

from __future__ import annotations

import pytest

from tutorgpt_asgi.book import docusaurus
from tutorgpt_asgi.book.slugger import Slugger, slug, split_explicit_id


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("01-foundations", ("foundations", 1)),
        ("02-prompts", ("prompts", 2)),
        ("003 - my doc", ("my doc", 3)),
        ("0_intro", ("intro", 0)),
        ("10.chapter", ("chapter", 10)),
        ("2021-11-notes", ("2021-11-notes", None)),  # date-like: not a prefix
        ("7.0-release", ("7.0-release", None)),  # version-like: not a prefix
        ("01-", ("01-", None)),  # nothing after the prefix
        ("01--_x", ("x", 1)),
        ("intro", ("intro", None)),
        ("1password", ("1password", None)),
    ],
)
def test_number_prefix(name: str, expected: tuple[str, int | None]) -> None:
    assert docusaurus.parse_number_prefix(name) == expected


@pytest.mark.parametrize(
    ("source", "fm_id", "expected"),
    [
        ("01-foundations/02-prompts.md", None, "foundations/prompts"),
        ("01-foundations/index.md", None, "foundations/index"),
        ("intro.md", None, "intro"),
        ("01-a/02-b/03-c.mdx", None, "a/b/c"),
        ("02-advanced/01-tuning.md", "tuning-guide", "advanced/tuning-guide"),
        ("02-advanced/2021-11-release-notes.md", None, "advanced/2021-11-release-notes"),
    ],
)
def test_doc_id(source: str, fm_id: str | None, expected: str) -> None:
    assert docusaurus.doc_id(source, fm_id) == expected


def test_doc_id_without_prefix_parsing() -> None:
    assert docusaurus.doc_id("01-a/02-b.md", None, parse_prefixes=False) == "01-a/02-b"


@pytest.mark.parametrize(
    ("source", "base_id", "fm_slug", "expected"),
    [
        ("01-foundations/02-prompts.md", "prompts", None, "/docs/foundations/prompts"),
        ("01-foundations/index.md", "index", None, "/docs/foundations/"),
        ("01-foundations/README.md", "README", None, "/docs/foundations/"),
        ("guides/guides.md", "guides", None, "/docs/guides/"),  # named like its folder
        ("intro.md", "intro", None, "/docs/intro"),
        ("index.md", "index", None, "/docs/"),
        ("02-advanced/01-tuning.md", "tuning-guide", "tune", "/docs/advanced/tune"),
        ("02-advanced/01-tuning.md", "tuning-guide", "/tuning", "/docs/tuning"),
        ("02-advanced/01-tuning.md", "tuning-guide", "../up", "/docs/up"),
        ("01-foundations/index.md", "index", "start", "/docs/foundations/start"),
    ],
)
def test_permalink(source: str, base_id: str, fm_slug: str | None, expected: str) -> None:
    assert docusaurus.permalink(docusaurus.doc_slug(source, base_id, fm_slug)) == expected


def test_permalink_with_base_url() -> None:
    assert docusaurus.permalink("/foundations/prompts", base_url="/book/") == "/book/docs/foundations/prompts"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello World", "hello-world"),
        ("Tools & Materials: the essentials", "tools--materials-the-essentials"),
        ("C++ / Python, 100% ready!", "c--python-100-ready"),
        ("Ünïcödé résumé — naïve café", "ünïcödé-résumé--naïve-café"),
        ("Emoji 😄 rocks 🚀", "emoji--rocks-"),
        ("snake_case__x", "snake_case__x"),
        ("ⓐⓑ Ⓒ", "ⓐⓑ-ⓒ"),
        ("日本語の見出し", "日本語の見出し"),
        ("x²³ ½", "x-"),
        ("Tab\tsep", "tabsep"),
        ("Ω≈ç√∫", "ωç"),
    ],
)
def test_github_slug(text: str, expected: str) -> None:
    assert slug(text) == expected


def test_slugger_duplicates_follow_github_slugger() -> None:
    slugger = Slugger()
    assert [slugger.slug(t) for t in ["a-1", "a", "a", "a-1", "Setup", "setup"]] == [
        "a-1",
        "a",
        "a-2",
        "a-1-1",
        "setup",
        "setup-1",
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Setup {#custom-setup}", ("Setup", "custom-setup")),
        ("Setup{#x}", ("Setup", "x")),
        ("A {#b} c", ("A {#b} c", None)),  # the id must end the heading
        ("Setup {/* #mdx-id */}", ("Setup", "mdx-id")),
        ("Setup <!-- #html-id -->", ("Setup", "html-id")),
        ("Setup {/* plain comment */}", ("Setup {/* plain comment */}", None)),
        ("Plain", ("Plain", None)),
    ],
)
def test_explicit_heading_ids(source: str, expected: tuple[str, str | None]) -> None:
    assert split_explicit_id(source) == expected
