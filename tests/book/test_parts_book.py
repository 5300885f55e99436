"""A generated parts › chapters › lessons book indexes with one chapter per chapter folder.

Real books (a 700-page one among them) are organised as parts holding chapter folders, each
with a README, lessons, a quiz and ``*.summary.md`` companions the site excludes. Before, every
part became one chapter and the companions were cited.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.support.tutor import start_served
from tutorgpt_asgi.book.index import BookIndex
from tutorgpt_asgi.book.search import ScopeContext, search_book_content

PARTS, CHAPTERS, LESSONS = 3, 4, 3


def _generate(root: Path) -> None:
    for part in range(1, PARTS + 1):
        part_dir = root / f"{part:02d}-Part_{part}"
        part_dir.mkdir(parents=True)
        (part_dir / "_category_.json").write_text(json.dumps({"label": f"Part {part}"}), encoding="utf-8")
        for chapter in range(1, CHAPTERS + 1):
            folder = part_dir / f"{chapter:02d}-Chapter_{part}_{chapter}"
            folder.mkdir()
            (folder / "README.md").write_text(f"# Chapter {part}.{chapter}\n\nOverview.\n", encoding="utf-8")
            for lesson in range(1, LESSONS + 1):
                body = f"# Lesson {lesson}\n\n## Key idea\n\nTopic{part}x{chapter}x{lesson} explained.\n"
                (folder / f"{lesson:02d}-lesson-{lesson}.md").write_text(body, encoding="utf-8")
                summary = f"# Summary\n\nTopic{part}x{chapter}x{lesson} companionword.\n"
                (folder / f"{lesson:02d}-lesson-{lesson}.summary.md").write_text(summary, encoding="utf-8")
            (folder / "quiz.md").write_text("# Quiz\n\n## Question 1\n\nWhy?\n", encoding="utf-8")
            (folder / "exercises.md").write_text("# Exercises\n\nPractice.\n", encoding="utf-8")


@pytest.mark.anyio
async def test_one_chapter_per_chapter_folder_and_no_companions(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    _generate(docs)
    async with await BookIndex.open(f"sqlite:///{tmp_path / 'book.db'}") as index:
        summary = await index.index_path(docs, exclude=["**/*.summary.md"])
        assert summary.warnings == ()
        assert summary.pages == PARTS * CHAPTERS * (LESSONS + 3)
        rows = await index.fetchall("SELECT id, part_id, lesson_ids FROM chapters ORDER BY position")
        assert len(rows) == PARTS * CHAPTERS
        assert rows[0][:2] == ("Part_1/Chapter_1_1", "Part_1")
        assert json.loads(rows[0][2]) == ["overview", "lesson-1", "lesson-2", "lesson-3", "exercises", "quiz"]
        result = await search_book_content(index, "companionword", context=ScopeContext())
        assert result.hits == ()
        scoped = await search_book_content(
            index, "Topic2x3x1", "current_chapter", ScopeContext("Part_2/Chapter_2_3", "lesson-2")
        )
        assert scoped.searched_scope == "current_chapter"
        assert [h.chapter_id for h in scoped.hits] == ["Part_2/Chapter_2_3"]


def test_the_cli_takes_repeatable_excludes(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    _generate(docs)
    run = subprocess.run(
        [sys.executable, "-m", "tutorgpt_asgi.book.cli", "index", str(docs), "--json",
         "--book-database-url", f"sqlite:///{tmp_path / 'book.db'}",
         "--exclude", "**/*.summary.md", "--exclude", "**/quiz.md"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["pages"] == PARTS * CHAPTERS * (LESSONS + 2)


def test_the_book_setting_takes_the_sites_excludes(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    _generate(docs)
    with ExitStack() as stack:
        app, _, _ = start_served(tmp_path, stack, book=str(docs), book_exclude=["**/*.summary.md", "**/quiz.md"])
        book_db = app.state.runtime.settings.book_database_url.removeprefix("sqlite:///")
        connection = sqlite3.connect(book_db)
        try:
            [(pages,)] = connection.execute("SELECT count(*) FROM pages").fetchall()
        finally:
            connection.close()
    assert pages == PARTS * CHAPTERS * (LESSONS + 2)
