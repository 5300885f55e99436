"""Turn any user text into a safe FTS5 MATCH expression.

FTS5's query language treats quotes, ``*``, ``-``, ``:``, parentheses, ``NEAR``/``AND``/``OR``/
``NOT`` as syntax, so raw text would raise errors on ordinary questions. Words are extracted
here, stop words dropped (they match almost every chunk and cost time), and each remaining word
becomes a quoted string joined with ``OR``: bm25 then ranks chunks with more (and rarer) words
higher. Nothing of the user's punctuation reaches FTS5.

Words that are common in the book (see :mod:`.terms`) are kept for ranking but not used to pick
candidates, which keeps searches fast on big books.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

MAX_TERMS = 24
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)

# Small English stop list: function words that carry no topic.
STOP_WORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our ours out over own same she should so
    some such than that the their theirs them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you
    your yours explain tell please""".split()
)


def terms(text: str) -> list[str]:
    """Distinct search words of ``text``, lower case, stop words removed when others remain."""
    seen: dict[str, None] = {}
    for match in _WORD.finditer(text.lower()):
        word = match.group(0).replace("’", "'").split("'")[0]
        if word:
            seen.setdefault(word[:64], None)
        if len(seen) >= MAX_TERMS * 4:
            break
    words = list(seen)
    content = [word for word in words if word not in STOP_WORDS]
    return (content or words)[:MAX_TERMS]


def _expression(words: list[str]) -> str:
    return " OR ".join(f'"{word}"' for word in words)


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """``expression`` ranks. Each of ``candidates``, tried in turn, picks rows to rank; the first
    that finds enough is used, and when none does every match of ``expression`` is ranked."""

    expression: str
    candidates: tuple[str, ...] = ()


def plan_query(found: list[str], frequent: Collection[str] = ()) -> QueryPlan | None:
    """A safe FTS5 plan for the words ``terms()`` found, or None when there are none.

    A query made only of stop words ("to be or not to be") becomes one phrase: OR-ing such
    words would match, and rank, nearly every chunk of the book. Words ``frequent`` in the
    book barely change bm25's order but cost a lot to rank, so candidates come from the rarer
    words, widened when they find too little by titles and headings holding a frequent word,
    then by chunks holding all the frequent words together.
    """
    if not found:
        return None
    if all(word in STOP_WORDS for word in found):
        return QueryPlan('"' + " ".join(found) + '"')
    common = [word for word in found if word in frequent]
    rare = [word for word in found if word not in frequent]
    parts: list[str] = []
    if rare and common:
        parts.append(_expression(rare))
    if common:
        # Title and heading matches weigh most in bm25, so they hold the top hits.
        parts.append("{title headings} : (" + _expression(common) + ")")
    if len(common) >= 2:
        parts.append("(" + " AND ".join(f'"{word}"' for word in common) + ")")
    # Each stage keeps the rows of the earlier ones: rare-word matches always compete.
    candidates = [" OR ".join(parts[: stage + 1]) for stage in range(len(parts))]
    return QueryPlan(_expression(found), tuple(candidates))
