"""Reading progress: which pages, lessons and chapters a student visited, and how often.

A visit is recorded when a session starts and whenever a protocol request shows the reader on a
different page, so the tutor can say "welcome back, you finished chapter 1".
"""

from __future__ import annotations

import sqlite3

import msgspec

from tutorgpt_asgi.clock import isoformat_z, parse_stored
from tutorgpt_asgi.sessions.context import PageContext
from tutorgpt_asgi.store.database import Database


class LessonProgress(msgspec.Struct, frozen=True):
    """A lesson the student opened."""

    chapter_id: str | None
    lesson_id: str
    page_path: str | None
    page_title: str | None
    visits: int
    last_visit: str


class ChapterProgress(msgspec.Struct, frozen=True):
    """A chapter the student opened, summed over its pages."""

    chapter_id: str
    lessons_visited: int
    visits: int
    last_visit: str


class StudentProfile(msgspec.Struct, frozen=True):
    """What ``get_student_profile()`` tells the tutor about the student asking.

    Bounded: the most recent lessons and chapters (``PROFILE_MAX_ENTRIES`` each) plus totals, so
    a reader with thousands of visits does not make every later prompt megabytes long.
    """

    name: str | None
    learning_level: str
    first_seen: str
    sessions_count: int
    current_location: PageContext | None
    lessons_visited: int
    chapters_visited: int
    total_visits: int
    lessons: list[LessonProgress]
    chapters: list[ChapterProgress]


#: How many of the most recent lessons, and of chapters, the profile lists.
PROFILE_MAX_ENTRIES = 30


def visit_key(context: PageContext) -> str | None:
    """What a visit is counted against: the lesson when known, else the page path."""
    if context.current_lesson:
        return f"lesson:{context.current_chapter or ''}/{context.current_lesson}"
    return f"page:{context.page_path}" if context.page_path else None


def record_visit(connection: sqlite3.Connection,
    student_id: str,
    context: PageContext,
    now: str,
    *,
    count: bool = True,
) -> None:
    """Count a visit to the context's page (or only touch its last visit when ``count`` is off)."""
    key = visit_key(context)
    if key is None:
        return
    connection.execute(
        """INSERT INTO visits (student_id, page_key, page_path, page_title, chapter_id, lesson_id,
               visits, first_visit_at, last_visit_at)
           VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)
           ON CONFLICT (student_id, page_key) DO UPDATE SET
               visits = visits.visits + ?,
               page_path = COALESCE(excluded.page_path, visits.page_path),
               page_title = COALESCE(excluded.page_title, visits.page_title),
               last_visit_at = excluded.last_visit_at""",
        (
            student_id, key, context.page_path, context.page_title, context.current_chapter,
            context.current_lesson, now, now, 1 if count else 0,
        ),
    )


async def load_profile(db: Database, student_id: str) -> StudentProfile | None:
    """The student's profile, or ``None`` for an unknown id."""
    student = await db.fetchone(
        """SELECT st.name, st.learning_level, st.created_at,
                  (SELECT COUNT(*) FROM sessions WHERE student_id = st.id) AS sessions_count,
                  (SELECT context_json FROM sessions WHERE student_id = st.id
                   ORDER BY last_active_at DESC LIMIT 1) AS context_json
           FROM students st WHERE st.id = ?""",
        (student_id,),
    )
    if student is None:
        return None
    lessons = [
        LessonProgress(
            chapter_id=row["chapter_id"], lesson_id=row["lesson_id"], page_path=row["page_path"],
            page_title=row["page_title"], visits=row["visits"],
            last_visit=isoformat_z(parse_stored(row["last_visit_at"])),
        )
        for row in await db.fetchall(
            """SELECT chapter_id, lesson_id, page_path, page_title, visits, last_visit_at
               FROM visits WHERE student_id = ? AND lesson_id IS NOT NULL
               ORDER BY last_visit_at DESC LIMIT ?""",
            (student_id, PROFILE_MAX_ENTRIES),
        )
    ]
    chapters = [
        ChapterProgress(row["chapter_id"], row["lessons"], row["visits"],
                        isoformat_z(parse_stored(row["last_visit_at"])))
        for row in await db.fetchall(
            """SELECT chapter_id, COUNT(*) AS lessons, SUM(visits) AS visits,
                      MAX(last_visit_at) AS last_visit_at
               FROM visits WHERE student_id = ? AND lesson_id IS NOT NULL AND chapter_id IS NOT NULL
               GROUP BY chapter_id ORDER BY MAX(last_visit_at) DESC LIMIT ?""",
            (student_id, PROFILE_MAX_ENTRIES),
        )
    ]
    totals = await db.fetchone(
        """SELECT COUNT(*) AS lessons, COUNT(DISTINCT chapter_id) AS chapters,
                  COALESCE(SUM(visits), 0) AS visits
           FROM visits WHERE student_id = ? AND lesson_id IS NOT NULL""",
        (student_id,),
    )
    assert totals is not None
    location = student["context_json"]
    return StudentProfile(
        name=student["name"],
        learning_level=student["learning_level"],
        first_seen=isoformat_z(parse_stored(student["created_at"])),
        sessions_count=student["sessions_count"],
        current_location=msgspec.json.decode(location, type=PageContext) if location else None,
        lessons_visited=totals["lessons"],
        chapters_visited=totals["chapters"],
        total_visits=totals["visits"],
        lessons=lessons,
        chapters=chapters,
    )
