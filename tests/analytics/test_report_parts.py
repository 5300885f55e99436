"""Parts in the report (migration 0008): a turn asked from a page inside a part records its
``part_id``, and the report groups by part when any record has one, on both engines, keeping
an ``intro`` chapter of one part apart from another part's. A book without parts reports as
before, with no part rows or column in the table."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from tutorgpt_asgi.analytics.page import render_page
from tutorgpt_asgi.analytics.records import TurnMeter, insert_turn
from tutorgpt_asgi.analytics.render import as_csv, as_table
from tutorgpt_asgi.analytics.report import ReportQuery, build_report
from tutorgpt_asgi.chatkit.responder import Turn, TurnContext
from tutorgpt_asgi.sessions.context import PageContext
from tutorgpt_asgi.store.database import Database, Transaction

SINCE = ReportQuery(since=datetime(2026, 11, 1, tzinfo=UTC))
#: (item id, part, chapter, lesson): two parts each have an "intro" chapter; one page has no part.
TURNS = [
    ("m1", "basics", "intro", "welcome"),
    ("m2", "basics", "intro", "welcome"),
    ("m3", "basics", "loops", "for"),
    ("m4", "advanced", "intro", "welcome"),
    ("m5", None, "appendix", "glossary"),
]


def _turn(item_id: str, part: str | None, chapter: str, lesson: str) -> Turn:
    where = PageContext(page_path=f"/docs/{part or 'x'}/{chapter}/{lesson}", part_id=part,
                        current_chapter=chapter, current_lesson=lesson)
    return Turn(thread_id="thr", user_text="?", quoted_text=None,
                context=TurnContext("ses", "stu", None, "beginner", where))


async def _record(db: Database, turns: list[tuple[str, str | None, str, str]]) -> None:
    """Write each turn's record the way the ChatKit server does: a TurnMeter, then insert_turn."""
    async def write(tx: Transaction) -> None:
        await tx.execute("INSERT INTO students (id, learning_level, created_at, updated_at)"
                         " VALUES ('stu', 'beginner', 'x', 'x')")
        await tx.execute("INSERT INTO threads (id, student_id, created_at, updated_at) VALUES ('thr', 'stu', 'x', 'x')")
        for item_id, *place in turns:
            meter = TurnMeter(_turn(item_id, *place), item_id, follow_up=False, model=None)
            await insert_turn(tx, meter.record(None))

    await db.write(write)


@pytest.mark.anyio
async def test_a_turn_records_its_part(db: Database) -> None:
    await _record(db, TURNS[3:])
    rows = await db.fetchall("SELECT item_id, part_id, chapter_id FROM turn_records ORDER BY item_id")
    assert [tuple(row) for row in rows] == [("m4", "advanced", "intro"), ("m5", None, "appendix")]


@pytest.mark.anyio
async def test_the_report_groups_by_part_when_the_book_has_parts(db: Database) -> None:
    await _record(db, TURNS)
    report = await build_report(db, SINCE)

    assert [(s.part_id, s.questions) for s in report.parts] == [("basics", 3), (None, 1), ("advanced", 1)]
    chapters = {(s.part_id, s.chapter_id): s.questions for s in report.chapters}
    assert chapters == {("basics", "intro"): 2, ("basics", "loops"): 1, ("advanced", "intro"): 1,
                        (None, "appendix"): 1}
    assert (report.lessons[0].part_id, report.lessons[0].lesson_id, report.lessons[0].questions) == (
        "basics", "welcome", 2)
    assert {(d.part_id, d.chapter_id) for d in report.days} == set(chapters)

    rows = list(csv.DictReader(io.StringIO(as_csv(report))))
    assert [(r["part"], r["questions"]) for r in rows if r["level"] == "part"] == [
        ("basics", "3"), ("", "1"), ("advanced", "1")]
    assert len(rows) == 4 + 4 + 3 + 1
    table = as_table(report)
    assert "\nParts\npart " in table and re.search(r"^advanced +intro +welcome +1 ", table, re.M)
    page = render_page(report)
    assert "<h2>Parts</h2>" in page and "advanced / intro / welcome" in page


@pytest.mark.anyio
async def test_a_book_without_parts_reports_no_part_rows(db: Database) -> None:
    await _record(db, [(item_id, None, chapter, lesson) for item_id, _, chapter, lesson in TURNS])
    report = await build_report(db, SINCE)

    assert report.parts == [] and {s.part_id for s in report.lessons} == {None}
    assert {(s.chapter_id, s.questions) for s in report.chapters} == {("intro", 3), ("loops", 1), ("appendix", 1)}
    assert not [r for r in csv.DictReader(io.StringIO(as_csv(report))) if r["level"] == "part"]
    table = as_table(report)
    assert "Parts" not in table and "\nLessons\nchapter " in table
    assert "<h2>Parts</h2>" not in render_page(report) and "intro / welcome" in render_page(report)
