"""Turn any user text into a safe FTS5 MATCH expression.

FTS5's query language treats quotes, ``*``, ``-``, ``:``, parentheses, ``NEAR``/``AND``/``OR``/
``NOT`` as syntax, so raw text would raise errors on ordinary questions. Words are extracted
here, stop words dropped (they match almost every chunk and cost time), and each remaining word
becomes a quoted string joined with ``OR``: bm25 then ranks chunks with more (and rarer) words
higher. Nothing of the user's punctuation reaches FTS5.

Words that are common in the book (see :mod:`.terms`) are kept for ranking but not used to pick
candidates, which keeps searches fast on big books.

Phrases (:func:`phrases`) are OR-ed in beside the words, so bm25 adds a bonus for passages that
keep the question's words together: an identifier's parts in order (``max_retries`` and
``maxRetries`` become the phrase "max retries", which matches ``max_retries`` and the prose
words, and the joined token ``maxretries`` that FTS5 makes of a camelCase name), and adjacent
content words joined ("task group" → ``taskgroup``, which finds ``TaskGroup``). They only
extend the ranking expression: candidates are still picked by words, and coverage is judged
on words.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

MAX_TERMS = 24
#: Phrases added to one query at most (identifiers first, then adjacent word pairs).
MAX_PHRASES = 6
#: Adjacent words are joined only in queries of at most this many content words.
JOIN_WORDS = 4
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
#: snake_case, camelCase and PascalCase names (a plain word is not an identifier).
_IDENTIFIER = re.compile(
    r"[A-Za-z][A-Za-z0-9]*(?:_+[A-Za-z0-9]+)+|[a-z]+[0-9]*(?:[A-Z][a-z0-9]+)+|[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+"
)
_RUN = re.compile(r"[A-Za-z0-9_]+")
#: Characters of a run looked at for identifiers (longer runs are not names anyone types).
MAX_IDENTIFIER = 128
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z][a-z])")
_PART = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]+|_+", re.UNICODE)

# Small English stop list: function words that carry no topic.
STOP_WORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our ours out over own same she should so
    some such than that the their theirs them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you
    your yours explain tell please book""".split()
)


def terms(text: str) -> list[str]:
    """Distinct search words of ``text``, lower case, stop words removed when others remain.

    camelCase names are split into their words, as FTS5 already splits snake_case ones, so
    ``maxRetries``, ``max_retries`` and "max retries" look for the same words (the joined
    ``maxretries`` comes back through :func:`phrases`).
    """
    seen: dict[str, None] = {}
    for match in _WORD.finditer(_CAMEL_HUMP.sub(" ", text).lower()):
        word = match.group(0).replace("’", "'").split("'")[0]
        if word:
            seen.setdefault(word[:64], None)
        if len(seen) >= MAX_TERMS * 4:
            break
    words = list(seen)
    content = [word for word in words if word not in STOP_WORDS]
    return (content or words)[:MAX_TERMS]


def _expression(words: Collection[str]) -> str:
    return " OR ".join(f'"{word}"' for word in words)


def phrases(text: str) -> list[str]:
    """Phrases and joined forms that reward passages keeping the question's words together.

    Adjacent words get only their joined form: as a phrase ("test client") they were measured
    to outweigh the words themselves and cost recall (bench/README.md). And only in short
    queries (at most ``JOIN_WORDS`` content words), where two words side by side are likely a
    name typed apart ("max retries", "task group"); in a sentence they are mostly grammar, and
    "admin change list" → ``changelist`` pulled a release note above the tutorial's section.
    """
    found: dict[str, None] = {}
    # Identifiers are sought within each run of identifier characters, cut short: on one long
    # run ("x" * 4000) the pattern would retry from every position, quadratic (0.45 s of CPU).
    for run in _RUN.findall(text[:4000]):
        for match in _IDENTIFIER.finditer(run[:MAX_IDENTIFIER]):
            parts = [part.lower() for part in _PART.findall(match.group(0))]
            if len(parts) > 1:
                found.setdefault(" ".join(parts[:4]), None)
                found.setdefault("".join(parts[:4]), None)
    tokens = _TOKEN.findall(text[:4000].lower())
    if sum(1 for token in tokens if token[0].isalnum() and token not in STOP_WORDS) > JOIN_WORDS:
        return list(found)[:MAX_PHRASES]
    previous: str | None = None
    for token in tokens:
        word = token if token[0].isalnum() else None
        if word is not None and word not in STOP_WORDS and previous is not None:
            found.setdefault(f"{previous}{word}", None)
        previous = word if word is not None and word not in STOP_WORDS else None
    return list(found)[:MAX_PHRASES]


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """``phrases`` rank (OR-ed in ``expression``). Each of ``candidates``, tried in turn, picks
    rows to rank; the first that finds enough is used, and when none does every match of
    ``expression`` is ranked."""

    phrases: tuple[str, ...]
    candidates: tuple[str, ...] = ()
    #: The common words, whose title and heading matches make the candidate stage after the
    #: rare words' (see :mod:`.rank`).
    common: tuple[str, ...] = ()

    @property
    def expression(self) -> str:
        return _expression(self.phrases)

    @property
    def heading_stage(self) -> int:
        """The candidate stage that adds the common words' title and heading matches (the
        rare words' comes first when there are rare words); -1 without candidate stages."""
        return len(self.candidates) - (2 if len(self.common) >= 2 else 1) if self.candidates else -1


def plan_query(
    found: list[str], frequent: Collection[str] = (), extra: Collection[str] = ()
) -> QueryPlan | None:
    """A safe FTS5 plan for the words ``terms()`` found, or None when there are none.

    A query made only of stop words ("to be or not to be") becomes one phrase: OR-ing such
    words would match, and rank, nearly every chunk of the book. Words ``frequent`` in the
    book barely change bm25's order but cost a lot to rank, so candidates come from the rarer
    words, widened when they find too little by titles and headings holding a frequent word,
    then by chunks holding all the frequent words together. ``extra`` (see :func:`phrases`)
    only adds to the ranking expression.
    """
    if not found:
        return None
    if all(word in STOP_WORDS for word in found):
        return QueryPlan((" ".join(found),))
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
    ranking = (*found, *(phrase for phrase in extra if phrase not in found))
    return QueryPlan(ranking, tuple(candidates), tuple(common))
