"""The report as text for a terminal, JSON, or CSV (the HTML page is ``page.py``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import msgspec

from tutorgpt_asgi.analytics.report import Report, Stats

_HEADERS = (
    "part", "chapter", "lesson", "questions", "students", "threads", "follow_ups_per_thread",
    "thumbs_up", "thumbs_down", "thumbs_down_share", "not_in_book", "median_first_delta_ms",
    "prompt_tokens", "completion_tokens", "cost",
)


def place_label(part: str | None, chapter: str | None, lesson: str | None) -> str:
    """``chapter / lesson`` as the author knows it, ``part / chapter / lesson`` in a book with
    parts (two parts may each have an ``intro`` chapter); ``-`` where the reader was on none."""
    label = f"{chapter or '-'} / {lesson or '-'}"
    return f"{part} / {label}" if part else label


def lesson_label(stats: Stats) -> str:
    """The label of a lesson's row (see :func:`place_label`)."""
    return place_label(stats.part_id, stats.chapter_id, stats.lesson_id)


def share(value: float | None) -> str:
    """A share as a percentage; ``-`` when nobody rated."""
    return "-" if value is None else f"{value:.0%}"


def cost(value: float | None) -> str:
    """Cost to four decimals; ``?`` when a model has no price."""
    return "?" if value is None else f"{value:.4f}"


def _row(stats: Stats, lesson: str | None = None, chapter: str | None = None) -> list[str]:
    """The figures as text; ``lesson`` and ``chapter`` override their cells (``(all)`` on the
    rows of a chapter or part)."""
    return [
        stats.part_id or "-", chapter or stats.chapter_id or "-", lesson or stats.lesson_id or "-",
        str(stats.questions), str(stats.students), str(stats.threads),
        f"{stats.follow_ups_per_thread:.2f}", str(stats.thumbs_up), str(stats.thumbs_down),
        share(stats.thumbs_down_share), str(stats.not_in_book),
        "-" if stats.median_first_delta_ms is None else str(stats.median_first_delta_ms),
        str(stats.prompt_tokens), str(stats.completion_tokens), cost(stats.cost),
    ]


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]


def as_table(report: Report) -> str:
    """Aligned columns per lesson, chapter (and part), then passages and unanswered questions.

    The part column is left out for a book without parts, where it would be all ``-``.
    """
    header = ["part", "chapter", "lesson", "questions", "students", "threads", "follow-ups/thread", "up",
              "down", "down share", "not in book", "first delta ms", "prompt tok", "completion tok",
              "cost"]
    lines = [f"TutorGPT report: {report.since[:16]} to {report.until[:16]} UTC"
             + (f", chapter {report.chapter}" if report.chapter else "")]
    sections = [("Lessons", [_row(s) for s in report.lessons]),
                ("Chapters", [_row(s, "(all)") for s in report.chapters])]
    if report.parts:
        sections.append(("Parts", [_row(s, "(all)", "(all)") for s in report.parts]))
    sections.append(("Total", [_row(report.total, "(all)")]))
    skip = 0 if report.parts else 1
    for title, rows in sections:
        lines += ["", title, *_aligned([row[skip:] for row in (header, *rows)])]
    for stats in report.lessons:
        if stats.passages or stats.not_in_book_questions:
            lines += ["", f"{lesson_label(stats)}:"]
            lines += [f"  asked about {p.questions}x: {p.url}" for p in stats.passages]
            lines += [f"  not in the book: {text}" for text in stats.not_in_book_questions]
    if report.unpriced_models:
        lines += ["", "No price in TUTORGPT_MODEL_PRICES for: " + ", ".join(report.unpriced_models)]
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    """The report struct as JSON (the schema is :class:`Report`)."""
    return msgspec.json.format(msgspec.json.encode(report).decode(), indent=2) + "\n"


def _raw(stats: Stats) -> list[object]:
    """The figures as numbers for a spreadsheet (empty where there is none)."""
    def blank(value: object) -> object:
        return "" if value is None else value

    return [
        stats.part_id or "", stats.chapter_id or "", stats.lesson_id or "",
        stats.questions, stats.students, stats.threads,
        stats.follow_ups_per_thread, stats.thumbs_up, stats.thumbs_down, blank(stats.thumbs_down_share),
        stats.not_in_book, blank(stats.median_first_delta_ms), stats.prompt_tokens,
        stats.completion_tokens, blank(stats.cost),
    ]


def as_csv(report: Report) -> str:
    """One row per lesson, then per chapter (``lesson`` empty), per part (``chapter`` empty too;
    none for a book without parts) and the total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("level", *_HEADERS, "page_url", "top_passage"))
    groups: Iterable[tuple[str, list[Stats]]] = (
        ("lesson", report.lessons), ("chapter", report.chapters), ("part", report.parts),
        ("total", [report.total]),
    )
    for level, rows in groups:
        for stats in rows:
            top = stats.passages[0].url if stats.passages else ""
            writer.writerow((level, *_raw(stats), stats.page_url or "", top))
    return out.getvalue()
