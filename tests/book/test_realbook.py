"""Ids, anchors, parts, versions and instances against a real ``docusaurus build``.

Every expectation comes from the build of tests/fixtures/realbook-site: the ``id`` attributes in
its HTML and Docusaurus's own doc metadata. The export under test is the plugin's output in that
same build; the docs-folder reader is the Python rule set, run on the site's sources.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.staticfiles import StaticFiles

from tests.support.realbook import SITE, RealBook, html_ids
from tests.support.servers import serve
from tutorgpt_asgi.book.cli import main
from tutorgpt_asgi.book.docs_folder import read_docs_folder
from tutorgpt_asgi.book.export import read_export
from tutorgpt_asgi.book.index import BookIndex
from tutorgpt_asgi.book.search import ScopeContext, search_book_content
from tutorgpt_asgi.book.shelves import page_at

pytestmark = pytest.mark.timeout(1200)
EXCLUDE = ["**/*.summary.md"]


def _export(realbook: RealBook) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(realbook.export.read_text(encoding="utf-8"))
    return data


def _missing_anchors(realbook: RealBook, permalink: str, anchors: list[str]) -> list[str]:
    ids = set(realbook.ids(permalink))
    return [f"{permalink}#{anchor}" for anchor in anchors if anchor not in ids]


def test_every_exported_anchor_is_an_id_in_the_built_html(realbook: RealBook) -> None:
    pages = _export(realbook)["pages"]
    missing: list[str] = []
    for page in pages:
        assert realbook.html(page["permalink"]) is not None, page["permalink"]
        anchors = [h["anchor"] for h in page["headings"]] + [s["anchor"] for s in page["sections"] if s["anchor"]]
        missing += _missing_anchors(realbook, page["permalink"], anchors)
    assert missing == []
    setup = next(p for p in pages if p["permalink"] == "/docs/next/Part_One/Getting_Started/setup")
    assert [h["text"] for h in setup["headings"]][:4] == [
        "Configure max_retries", "The __init__ method", "Tips & tricks", "Q&A <basics>"
    ]
    loops = next(p for p in pages if p["permalink"] == "/docs/next/Part_One/Core_Ideas/loops")
    assert {"explicit-mdx-id", "classic-id", "jsx-heading", "retry-budget"} <= {h["anchor"] for h in loops["headings"]}
    assert "ocelotpartial" in loops["text"], "the imported partial's text is indexed"


def test_the_export_matches_docusaurus_metadata_without_drafts_unlisted_or_excluded(realbook: RealBook) -> None:
    export = _export(realbook)
    listed = {
        (str(doc["permalink"]), str(doc["id"]))
        for doc in realbook.docs_metadata
        if not doc.get("unlisted") and not doc.get("draft")
    }
    exported = {(p["permalink"], p["doc_id"]) for p in export["pages"]}
    assert exported == listed
    assert all(p["permalink"] in {d["permalink"] for d in realbook.docs_metadata} for p in export["pages"])
    text = json.dumps(export)
    for word in ("wombatunlisted", "quetzaldraft", "zanzibarcompanion"):
        assert word not in text
    shelves = {(p["docs_instance"], p["version"]) for p in export["pages"]}
    assert shelves == {("default", "current"), ("default", "1.0"), ("community", "current")}
    intros = [p for p in export["pages"] if p["doc_id"] == "intro"]
    assert len(intros) == 3, "intro of both versions and of the community instance, none overwritten"


def test_parts_chapters_and_lessons_of_the_export(realbook: RealBook) -> None:
    pages = {(p["version"], p["permalink"]): p for p in _export(realbook)["pages"] if p["docs_instance"] == "default"}
    setup = pages[("current", "/docs/next/Part_One/Getting_Started/setup")]
    assert (setup["part_id"], setup["chapter_id"], setup["lesson_id"]) == (
        "Part_One", "Part_One/Getting_Started", "setup"
    )
    assert setup["part_title"] == "Part One: Foundations"
    readme = pages[("current", "/docs/next/Part_One/Getting_Started/")]
    assert (readme["chapter_id"], readme["lesson_id"], readme["role"]) == (
        "Part_One/Getting_Started", "overview", "chapter-intro"
    )
    deep = pages[("current", "/docs/next/Part_One/Core_Ideas/Deep_Dive/exercises")]
    assert (deep["part_id"], deep["chapter_id"], deep["lesson_id"]) == (
        "Part_One", "Part_One/Core_Ideas/Deep_Dive", "exercises"
    )
    advanced = pages[("current", "/docs/next/Advanced_Topics/retries")]
    assert (advanced["part_id"], advanced["chapter_id"]) == (None, "Advanced_Topics")


def test_the_docs_folder_reader_agrees_with_the_build_and_the_plugin(realbook: RealBook) -> None:
    book = read_docs_folder(SITE / "docs", route_base_path="docs/next", exclude=EXCLUDE)
    metadata = {
        str(d["permalink"]): d
        for d in realbook.docs_metadata
        if str(d["permalink"]).startswith("/docs/next/") and not d.get("unlisted")
    }
    assert {p.permalink: p.doc_id for p in book.pages} == {k: str(v["id"]) for k, v in metadata.items()}
    missing: list[str] = []
    for page in book.pages:
        anchors = [h.anchor for h in page.headings if h.depth > 1]
        missing += _missing_anchors(realbook, page.permalink, anchors)
    assert missing == []
    plugin = {
        p["permalink"]: (p["part_id"], p["chapter_id"], p["lesson_id"], p["role"])
        for p in _export(realbook)["pages"]
        if p["version"] == "current" and p["docs_instance"] == "default"
    }
    python = {p.permalink: (p.part_id, p.chapter_id, p.lesson_id, p.role) for p in book.pages}
    assert python == plugin
    plugin_chapters = [
        (c["id"], c["title"], c["part_id"], c["lesson_ids"])
        for c in _export(realbook)["chapters"]
        if c["version"] == "current" and c["docs_instance"] == "default" and c["lesson_ids"]
    ]
    python_chapters = [(c.id, c.title, c.part_id, list(c.lesson_ids)) for c in book.chapters]
    assert python_chapters == plugin_chapters


async def _hit_urls(realbook: RealBook, database: Path) -> set[str]:
    queries = ["max_retries", "retry budget ocelotpartial", "pangolincommunity review", "exercise",
               "backoff", "tips tricks", "summary", "capybarareleased", "explicit ids", "JSX heading"]
    urls: set[str] = set()
    async with await BookIndex.open(f"sqlite:///{database}") as index:
        await index.index_path(realbook.export)
        for version in (None, "current", "1.0"):
            for query in queries:
                result = await search_book_content(index, query, context=ScopeContext(version=version), k=10)
                urls |= {hit.url for hit in result.hits}
    return urls


@pytest.mark.anyio
async def test_every_search_hit_resolves_in_the_build(realbook: RealBook, tmp_path: Path) -> None:
    urls = await _hit_urls(realbook, tmp_path / "book.db")
    assert len(urls) >= 15
    broken: list[str] = []
    site = StaticFiles(directory=realbook.build, html=True)
    with serve(site, lifespan="off") as base, httpx.Client(base_url=base, follow_redirects=True) as http:
        for url in sorted(urls):
            path, _, anchor = url.partition("#")
            response = http.get(path)
            ids = html_ids(response.text) if response.status_code == 200 else set()
            if response.status_code != 200 or (anchor and anchor not in ids):
                broken.append(f"{url} ({response.status_code})")
    assert broken == []


@pytest.mark.anyio
async def test_search_stays_in_the_readers_version(realbook: RealBook, tmp_path: Path) -> None:
    async with await BookIndex.open(f"sqlite:///{tmp_path / 'book.db'}") as index:
        await index.index_path(realbook.export)
        released = await search_book_content(index, "max_retries", context=ScopeContext(), k=10)
        assert released.hits and all(not h.permalink.startswith("/docs/next/") for h in released.hits)
        next_ = await search_book_content(index, "max_retries", context=ScopeContext(version="current"), k=10)
        assert next_.hits and all(h.permalink.startswith("/docs/next/") for h in next_.hits)
        community = await search_book_content(
            index, "pangolincommunity", context=ScopeContext(docs_instance="default", version="current")
        )
        assert [h.permalink for h in community.hits] == ["/community/guides/contributing"]


@pytest.mark.anyio
async def test_a_page_path_finds_its_lesson(realbook: RealBook, tmp_path: Path) -> None:
    async with await BookIndex.open(f"sqlite:///{tmp_path / 'book.db'}") as index:
        await index.index_path(realbook.export)
        setup = "/docs/next/Part_One/Getting_Started/setup"
        for path in (setup, f"{setup}/", f"/fr{setup}/", f"{setup}/index.html"):
            ref = await page_at(index, path)
            assert ref is not None, path
            assert (ref.version, ref.part_id, ref.chapter_id, ref.lesson_id) == (
                "current", "Part_One", "Part_One/Getting_Started", "setup"
            )
        community = await page_at(index, "/community/intro/")
        assert community is not None and (community.docs_instance, community.doc_id) == ("community", "intro")
        assert await page_at(index, "/docs/nowhere") is None


def test_read_export_keeps_instances_versions_and_parts(realbook: RealBook) -> None:
    book = read_export(realbook.export)
    assert {(v.docs_instance, v.name, v.is_default) for v in book.versions} == {
        ("default", "current", False), ("default", "1.0", True), ("community", "current", True)
    }
    assert book.title == "The Realbook Fixture"


def test_the_chatkit_script_is_injected_once_on_every_kind_of_page(realbook: RealBook) -> None:
    for permalink in ("/docs/intro", "/docs/next/Part_One/Getting_Started/setup", "/community/intro"):
        page = realbook.html(permalink)
        assert page is not None
        assert page.read_text(encoding="utf-8").count("cdn.platform.openai.com/deployments/chatkit/chatkit.js\"") == 1


def test_the_search_cli_takes_the_readers_version(realbook: RealBook, tmp_path: Path, capsys: Any) -> None:
    url = f"sqlite:///{tmp_path / 'book.db'}"
    assert main(["index", str(realbook.export), "--book-database-url", url]) == 0
    capsys.readouterr()
    assert main(["search", "max_retries", "--version", "current", "--json", "--book-database-url", url]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits and all(hit["permalink"].startswith("/docs/next/") for hit in hits)
