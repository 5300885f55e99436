"""The report as one self-contained HTML page (``tutorgpt report --format html`` and ``GET /admin``).

Everything is inline: styles, SVG charts, no scripts and nothing from a CDN, so the page works
offline and under a strict Content-Security-Policy. The colours were chosen for WCAG AA in both
schemes (text at least 4.5:1, chart marks at least 3:1 against their background; checked with
the WCAG relative-luminance formula in ``tests/analytics/test_page.py``); dark mode follows
``prefers-color-scheme``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from html import escape
from typing import Final

from tutorgpt_asgi.analytics.charts import MAX_SERIES, Bar, Series, bar_chart, day_range, line_chart
from tutorgpt_asgi.analytics.render import cost, lesson_label, place_label, share
from tutorgpt_asgi.analytics.report import Report, Stats

#: (name, light, dark): the page's colours; tests check their contrast.
PALETTE: Final = (
    ("bg", "#ffffff", "#15171c"),
    ("fg", "#1a1c20", "#e9eaee"),
    ("muted", "#4d5361", "#b4b9c4"),
    ("link", "#0b57d0", "#8ab4f8"),
    ("grid", "#8a909c", "#6b7280"),
    ("bar", "#1f5fbf", "#7fb2ff"),
    ("bad", "#b3261e", "#ff8a80"),
    ("s0", "#1f5fbf", "#7fb2ff"),
    ("s1", "#b3261e", "#ff8a80"),
    ("s2", "#1b7f3b", "#6fd08c"),
    ("s3", "#7b3fa8", "#d0a6ff"),
    ("s4", "#8f5200", "#f5b85a"),
)


def _css() -> str:
    light = ";".join(f"--{name}:{value}" for name, value, _ in PALETTE)
    dark = ";".join(f"--{name}:{value}" for name, _, value in PALETTE)
    series = "".join(
        f".s{n} .line{{stroke:var(--s{n})}}.s{n} .dot,.sw{n}{{fill:var(--s{n});background:var(--s{n})}}"
        for n in range(MAX_SERIES)
    )
    return (
        f":root{{{light};color-scheme:light dark}}"
        f"@media (prefers-color-scheme: dark){{:root{{{dark}}}}}"
        "body{margin:0 auto;max-width:980px;padding:1.5rem;font:16px/1.5 system-ui,sans-serif;"
        "background:var(--bg);color:var(--fg)}a{color:var(--link)}h1{font-size:1.6rem}"
        ".muted,.axis{color:var(--muted);fill:var(--muted)}.label,.value{fill:var(--fg);font-size:13px}"
        ".axis{font-size:12px}.grid{stroke:var(--grid);stroke-width:1;stroke-dasharray:3 3}"
        ".line{fill:none;stroke-width:2.5}.bar{fill:var(--bar)}.bad{fill:var(--bad)}"
        "svg a .label{fill:var(--link);text-decoration:underline}"
        "table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;"
        "padding:.3rem .5rem;border-bottom:1px solid var(--grid)}td.n,th.n{text-align:right}"
        ".cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid var(--grid);"
        "border-radius:8px;padding:.6rem 1rem}.card b{display:block;font-size:1.4rem}"
        ".legend{list-style:none;padding:0;display:flex;gap:1rem;flex-wrap:wrap}"
        ".legend span{display:inline-block;width:.9rem;height:.9rem;margin-right:.3rem;"
        "border-radius:2px;vertical-align:middle}"
        ".controls{display:flex;gap:1.5rem;flex-wrap:wrap;align-items:center;margin-bottom:1rem}"
        f"{series}"
    )


def _lesson_link(stats: Stats) -> str:
    label = escape(lesson_label(stats))
    return f'<a href="{escape(stats.page_url)}">{label}</a>' if stats.page_url else label


def _cards(report: Report) -> str:
    total = report.total
    cards = (
        ("Questions", str(total.questions)), ("Students", str(total.students)),
        ("Follow-ups per thread", f"{total.follow_ups_per_thread:.2f}"),
        ("Thumbs-down share", share(total.thumbs_down_share)),
        ("Not in the book", str(total.not_in_book)), ("Model cost", cost(total.cost)),
    )
    return '<div class="cards">' + "".join(
        f'<div class="card"><b>{escape(value)}</b><span class="muted">{name}</span></div>'
        for name, value in cards
    ) + "</div>"


def _over_time(report: Report) -> str:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for entry in report.days:
        label = place_label(entry.part_id, entry.chapter_id, entry.lesson_id)
        counts[label][entry.day] = entry.questions
    busiest = [lesson_label(s) for s in report.lessons[:MAX_SERIES]]
    days = day_range(date.fromisoformat(report.since[:10]), date.fromisoformat(report.until[:10]))
    series = [Series(label, counts.get(label, {})) for label in busiest]
    legend = "".join(
        f'<li><span class="sw{n}"></span>{escape(s.label)}</li>' for n, s in enumerate(series)
    )
    return line_chart("Questions per lesson over time", days, series) + f'<ul class="legend">{legend}</ul>'


def _charts(report: Report) -> str:
    rated = [s for s in report.lessons if s.thumbs_down_share is not None]
    rated.sort(key=lambda s: -(s.thumbs_down_share or 0.0))
    down = [
        Bar(lesson_label(s), s.thumbs_down_share or 0.0,
            f"{share(s.thumbs_down_share)} of {s.thumbs_up + s.thumbs_down}", s.page_url)
        for s in rated[:10]
    ]
    followed = sorted(report.lessons, key=lambda s: -s.follow_ups)[:10]
    most = max([1, *(s.follow_ups for s in followed)])
    follow = [
        Bar(lesson_label(s), s.follow_ups / most, f"{s.follow_ups} ({s.follow_ups_per_thread:.2f}/thread)",
            s.page_url)
        for s in followed if s.follow_ups
    ]
    return (
        "<h2>Questions per lesson over time</h2>" + _over_time(report)
        + "<h2>Thumbs-down share</h2>"
        + bar_chart("Thumbs-down share", "Share of rated answers rated down, per lesson", down, "bad")
        + "<h2>Lessons with the most follow-ups</h2>"
        + bar_chart("Lessons with the most follow-ups", "Follow-up questions per lesson", follow)
    )


def _table(title: str, head_cell: str, groups: list[Stats], label: Callable[[Stats], str]) -> str:
    """One row of figures per group (lesson or part), ``label`` giving its first cell."""
    head = (head_cell, "Questions", "Students", "Follow-ups/thread", "Down share", "Not in book",
            "Tokens", "Cost")
    rows = []
    for s in groups:
        cells = (s.questions, s.students, f"{s.follow_ups_per_thread:.2f}", share(s.thumbs_down_share),
                 s.not_in_book, s.prompt_tokens + s.completion_tokens, cost(s.cost))
        rows.append(f"<tr><td>{label(s)}</td>" + "".join(f'<td class="n">{c}</td>' for c in cells) + "</tr>")
    header = "".join(f'<th{"" if i == 0 else " class=n"} scope="col">{h}</th>' for i, h in enumerate(head))
    return f"<h2>{title}</h2><table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _details(report: Report) -> str:
    parts = []
    for s in report.lessons:
        items = [f'<li><a href="{escape(p.url)}">{escape(p.anchor)}</a> ({p.questions})</li>' for p in s.passages]
        items += [f"<li>Not in the book: {escape(text)}</li>" for text in s.not_in_book_questions]
        if items:
            parts.append(f"<h3>{_lesson_link(s)}</h3><ul>{''.join(items)}</ul>")
    if not parts:
        return ""
    return "<h2>Passages readers asked about</h2>" + "".join(parts)


def _tables(report: Report) -> str:
    """The lessons, then the parts in a book that has them."""
    tables = _table("Lessons", "Lesson", report.lessons, _lesson_link)
    if report.parts:
        tables += _table("Parts", "Part", report.parts, lambda s: escape(s.part_id or "-"))
    return tables


def render_page(report: Report, *, controls: str = "") -> str:
    """The whole page; ``controls`` is extra HTML under the heading (the admin's filter form)."""
    scope = f", chapter {escape(report.chapter)}" if report.chapter else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>TutorGPT: where readers struggle</title><style>{_css()}</style></head><body>"
        "<main><h1>Where readers struggle</h1>"
        f'<p class="muted">Questions from {escape(report.since[:16])} to {escape(report.until[:16])} UTC'
        f"{scope}.</p>{controls}{_cards(report)}{_charts(report)}{_tables(report)}{_details(report)}"
        "</main></body></html>"
    )
