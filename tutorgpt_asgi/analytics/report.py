"""The author's report: turn records folded into figures per lesson, chapter and part.

Records are read in pages ordered by time (a keyset cursor, so a big table never sits in memory
and a progress bar can follow along) and folded into :class:`Tally` objects in Python: the
figures (distinct students, the most asked passages, the median first-delta time, cost per
model) are simpler and portable here, where SQL would need engine-specific aggregates.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any, Final

import msgspec

from tutorgpt_asgi.clock import stored, utc_now
from tutorgpt_asgi.settings import ModelPrice
from tutorgpt_asgi.store.database import Database, Row

#: Records read per query.
PAGE_SIZE: Final = 2000
#: Passages listed per lesson.
TOP_PASSAGES: Final = 5
_SINCE = re.compile(r"^(\d{1,5})([mhdw])$")
_UNITS: Final = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
#: Where in the book a group of turns was asked: (part, chapter, lesson), each None if unknown.
Place = tuple[str | None, str | None, str | None]
_COLUMNS: Final = (
    "t.item_id, t.thread_id, t.student_id, t.part_id, t.chapter_id, t.lesson_id, t.page_path, t.cited,"
    " t.not_in_book, t.follow_up, t.anchor, t.first_delta_ms, t.prompt_tokens,"
    " t.completion_tokens, t.model, t.created_at, f.kind AS thumbs"
)


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """``7d``, ``24h``, ``30m``, ``2w`` before now, or an ISO date such as ``2026-11-01``."""
    now = now or utc_now()
    match = _SINCE.match(text.strip())
    if match:
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a duration such as 7d, 24h or 2w, or a date") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)


class Passage(msgspec.Struct):
    """A passage readers quoted or highlighted, with a link to its paragraph."""

    anchor: str
    url: str
    questions: int


class Stats(msgspec.Struct):
    """The figures of one lesson, one chapter (``lesson_id`` None), one part (``chapter_id`` None
    too) or the whole book; ``part_id`` is None for books without parts."""

    part_id: str | None
    chapter_id: str | None
    lesson_id: str | None
    page_url: str | None
    questions: int
    students: int
    threads: int
    follow_ups: int
    follow_ups_per_thread: float
    thumbs_up: int
    thumbs_down: int
    thumbs_down_share: float | None
    not_in_book: int
    not_in_book_questions: list[str]
    passages: list[Passage]
    median_first_delta_ms: int | None
    prompt_tokens: int
    completion_tokens: int
    cost: float | None


class DayCount(msgspec.Struct):
    """Questions asked in one lesson on one day (UTC), for the chart over time."""

    day: str
    part_id: str | None
    chapter_id: str | None
    lesson_id: str | None
    questions: int


class Report(msgspec.Struct):
    """The whole report; ``unpriced_models`` have no entry in ``TUTORGPT_MODEL_PRICES``.

    ``parts`` is empty unless some record was asked from a page inside a part (issue 17's
    parts > chapters > lessons books); then it sums to the total, with a ``part_id`` None row for
    the pages outside any part.
    """

    since: str
    until: str
    chapter: str | None
    total: Stats
    parts: list[Stats]
    chapters: list[Stats]
    lessons: list[Stats]
    days: list[DayCount]
    unpriced_models: list[str]


@dataclass
class Tally:
    """Running figures for one group of turns."""

    page_path: str | None = None
    questions: int = 0
    students: set[str] = field(default_factory=set)
    threads: set[str] = field(default_factory=set)
    follow_ups: int = 0
    thumbs: Counter[str] = field(default_factory=Counter)
    not_in_book: list[str] = field(default_factory=list)  # the user items' ids
    passages: Counter[str] = field(default_factory=Counter)
    first_delta_ms: list[int] = field(default_factory=list)
    tokens: Counter[str] = field(default_factory=Counter)  # "model|prompt", "model|completion"

    def add(self, row: Row) -> None:
        """Count one turn record (a row of the report query)."""
        self.page_path = row["page_path"] or self.page_path
        self.questions += 1
        self.students.add(row["student_id"])
        self.threads.add(row["thread_id"])
        self.follow_ups += row["follow_up"]
        if row["thumbs"]:
            self.thumbs[row["thumbs"]] += 1
        if row["not_in_book"]:
            self.not_in_book.append(row["item_id"])
        if row["anchor"]:
            self.passages[row["anchor"]] += 1
        if row["first_delta_ms"] is not None:
            self.first_delta_ms.append(row["first_delta_ms"])
        model = row["model"] or ""
        self.tokens[f"{model}|prompt"] += row["prompt_tokens"]
        self.tokens[f"{model}|completion"] += row["completion_tokens"]


@dataclass(frozen=True)
class ReportQuery:
    """What to report on, and how to render links and prices."""

    since: datetime
    chapter: str | None = None
    show_text: bool = False
    site_url: str | None = None
    prices: Mapping[str, ModelPrice] = field(default_factory=dict)


def link(site_url: str | None, path_or_url: str | None) -> str | None:
    """An absolute URL on the book's site when it is known, else the path as given."""
    if not path_or_url or "://" in path_or_url or not site_url:
        return path_or_url
    return site_url.rstrip("/") + "/" + path_or_url.lstrip("/")


async def build_report(
    db: Database, query: ReportQuery, progress: Callable[[int], None] | None = None
) -> Report:
    """Read every record since ``query.since`` (one chapter or all) and fold it into figures.

    ``progress`` is called with the number of records read after each page.
    """
    tallies: dict[Place, Tally] = {}
    days: Counter[tuple[str, str | None, str | None, str | None]] = Counter()
    cursor = (stored(query.since), "")
    chapter = "" if query.chapter is None else " AND t.chapter_id = ?"
    while True:
        # The index seeks straight to the cursor: each page costs the same, however deep.
        rows = await db.fetchall(
            f"SELECT {_COLUMNS} FROM turn_records t LEFT JOIN feedback f"
            " ON f.item_id = t.answer_item_id AND f.student_id = t.student_id"
            " WHERE t.created_at >= ? AND (t.created_at > ? OR t.item_id > ?)"
            f"{chapter} ORDER BY t.created_at, t.item_id LIMIT {PAGE_SIZE}",
            (cursor[0], cursor[0], cursor[1], *([query.chapter] if query.chapter else [])),
        )
        for row in rows:
            key = (row["part_id"], row["chapter_id"], row["lesson_id"])
            tallies.setdefault(key, Tally()).add(row)
            days[(row["created_at"][:10], *key)] += 1
        if progress is not None:
            progress(len(rows))
        if len(rows) < PAGE_SIZE:
            break
        cursor = (rows[-1]["created_at"], rows[-1]["item_id"])
    texts = await _question_texts(db, tallies.values()) if query.show_text else {}
    return _assemble(query, tallies, days, texts)


async def count_records(db: Database, query: ReportQuery) -> int:
    """How many records the report will read (the progress bar's total)."""
    chapter = "" if query.chapter is None else " AND chapter_id = ?"
    params = (stored(query.since), *([query.chapter] if query.chapter else []))
    row = await db.fetchone(f"SELECT COUNT(*) FROM turn_records WHERE created_at >= ?{chapter}", params)
    return int(row[0]) if row else 0


_text_decoder = msgspec.json.Decoder()


async def _question_texts(db: Database, tallies: Any) -> dict[str, str]:
    """The text of the "not in the book" questions, read from their threads (never copied)."""
    ids = [item_id for tally in tallies for item_id in tally.not_in_book]
    texts: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = await db.fetchall(
            f"SELECT id, json FROM items WHERE id IN ({', '.join('?' for _ in chunk)})", chunk
        )
        for row in rows:
            item = _text_decoder.decode(row["json"])
            texts[row["id"]] = "".join(part.get("text", "") for part in item.get("content", []))
    return texts


def _assemble(
    query: ReportQuery,
    tallies: dict[Place, Tally],
    days: Counter[tuple[str, str | None, str | None, str | None]],
    texts: dict[str, str],
) -> Report:
    parts: dict[str | None, Tally] = {}
    chapters: dict[tuple[str | None, str | None], Tally] = {}
    total = Tally()
    for (part, chapter, _), tally in tallies.items():
        _merge(parts.setdefault(part, Tally()), tally)
        _merge(chapters.setdefault((part, chapter), Tally()), tally)
        _merge(total, tally)
    unpriced = sorted(
        {key.rsplit("|", 1)[0] for key in total.tokens if total.tokens[key]}
        - set(query.prices) - {""}
    )

    def stats(place: Place, tally: Tally, page: bool) -> Stats:
        return _stats(query, place, tally, texts, page)

    def order(s: Stats) -> tuple[int, str, str, str]:
        return -s.questions, s.part_id or "", s.chapter_id or "", s.lesson_id or ""

    lessons = sorted((stats(place, t, True) for place, t in tallies.items()), key=order)
    chapter_stats = sorted((stats((p, c, None), t, False) for (p, c), t in chapters.items()), key=order)
    part_stats = sorted((stats((p, None, None), t, False) for p, t in parts.items()), key=order)
    return Report(
        since=stored(query.since),
        until=stored(utc_now()),
        chapter=query.chapter,
        total=stats((None, query.chapter, None), total, False),
        parts=part_stats if any(s.part_id for s in part_stats) else [],
        chapters=chapter_stats,
        lessons=lessons,
        days=[DayCount(day, part, chapter, lesson, n)
              for (day, part, chapter, lesson), n in sorted(days.items(), key=_day_key)],
        unpriced_models=unpriced,
    )


def _day_key(entry: tuple[tuple[str, str | None, str | None, str | None], int]) -> tuple[str, ...]:
    return tuple(value or "" for value in entry[0])


def _merge(into: Tally, other: Tally) -> None:
    into.page_path = into.page_path or other.page_path
    into.questions += other.questions
    into.students |= other.students
    into.threads |= other.threads
    into.follow_ups += other.follow_ups
    into.thumbs += other.thumbs
    into.not_in_book += other.not_in_book
    into.passages += other.passages
    into.first_delta_ms += other.first_delta_ms
    into.tokens += other.tokens


def _stats(query: ReportQuery, place: Place, tally: Tally, texts: dict[str, str], page: bool) -> Stats:
    rated = tally.thumbs["positive"] + tally.thumbs["negative"]
    threads = len(tally.threads)
    part, chapter, lesson = place
    return Stats(
        part_id=part,
        chapter_id=chapter,
        lesson_id=lesson,
        page_url=link(query.site_url, tally.page_path) if page else None,
        questions=tally.questions,
        students=len(tally.students),
        threads=threads,
        follow_ups=tally.follow_ups,
        follow_ups_per_thread=round(tally.follow_ups / threads, 2) if threads else 0.0,
        thumbs_up=tally.thumbs["positive"],
        thumbs_down=tally.thumbs["negative"],
        thumbs_down_share=round(tally.thumbs["negative"] / rated, 3) if rated else None,
        not_in_book=len(tally.not_in_book),
        not_in_book_questions=[texts[i] for i in tally.not_in_book if i in texts],
        passages=[
            Passage(anchor, link(query.site_url, anchor) or anchor, count)
            for anchor, count in tally.passages.most_common(TOP_PASSAGES)
        ],
        median_first_delta_ms=round(median(tally.first_delta_ms)) if tally.first_delta_ms else None,
        prompt_tokens=sum(n for key, n in tally.tokens.items() if key.endswith("|prompt")),
        completion_tokens=sum(n for key, n in tally.tokens.items() if key.endswith("|completion")),
        cost=_cost(tally.tokens, query.prices),
    )


def _cost(tokens: Counter[str], prices: Mapping[str, ModelPrice]) -> float | None:
    """Cost from the price table; ``None`` when a model that used tokens has no price."""
    cost = 0.0
    for key, count in tokens.items():
        model, kind = key.rsplit("|", 1)
        if not count or not model:  # the offline tutor costs nothing
            continue
        price = prices.get(model)
        if price is None:
            return None
        cost += count * (price.prompt if kind == "prompt" else price.completion) / 1_000_000
    return round(cost, 6)
