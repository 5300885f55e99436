"""OfflineTutor: a deterministic tutor that answers from the book with no language model.

It is the embedded default (no model configured), and the demo and browser tests run on it, so
it must be honest about what it is: it searches the book (the reader's current lesson first,
then the whole book), streams the best passages with their citations and a level-appropriate
frame, says plainly that no language model is involved, and admits when the book has nothing
relevant enough: a passage must contain most of the question's search words (see
``COVERAGE_THRESHOLD`` for the measurements behind the threshold).
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Iterator
from typing import Final

from tutorgpt_asgi.agent.titles import shorten_question
from tutorgpt_asgi.agent.tools import citation_title
from tutorgpt_asgi.book.coverage import coverage
from tutorgpt_asgi.book.index import BookIndex
from tutorgpt_asgi.book.query import terms
from tutorgpt_asgi.book.search import ScopeContext, SearchHit, search_book_content
from tutorgpt_asgi.chatkit.responder import (
    Citation,
    Grounding,
    Progress,
    ResponderEvent,
    TextDelta,
    Turn,
)

#: Share of the question's search words a passage must contain to count as an answer.
#: Why not the bm25 score: measured on the example book (9 golden-fact questions, 14 off-book
#: questions) the top hit's bm25 overlapped (golden 6.8-13.7, off-book up to 9.5), while coverage
#: separated them (golden 0.75-1.0, off-book at most 0.6). On the widget fixture book paraphrased
#: questions reached 0.67 and off-book ones at most 0.33. 0.65 sits in the gap.
COVERAGE_THRESHOLD: Final = 0.65
#: How many hits each search considers.
CANDIDATES: Final = 5
#: How many passages an answer quotes at most.
MAX_PASSAGES: Final = 3
#: Roughly how many characters each streamed text delta carries.
DELTA_CHARS: Final = 48

NOT_FOUND: Final = "I could not find this in the book."
NO_MODEL_NOTE: Final = (
    "I am answering from the book without a language model, so I show the passages that "
    "match your question best."
)

_INTROS: Final[dict[str, str]] = {
    "beginner": "Here is what the book says about this. Take it one passage at a time:",
    "intermediate": "These are the passages of the book that answer this:",
    "advanced": "Relevant passages:",
}
_OUTROS: Final[dict[str, str]] = {
    "beginner": (
        "Open a linked section to read it in full; the words around it explain the new terms."
    ),
    "intermediate": "The linked sections have the full explanation and the examples.",
    "advanced": "See the linked sections for details.",
}

#: Words that point at the reader's selection ("what does this line mean?") instead of naming
#: a topic. A question with fewer than two other words leans on the selection.
_POINTING_WORDS: Final = frozenset(
    """what is are was this that these those it its here there mean means meaning do does did
    work works line lines code snippet part bit sentence paragraph example explain please how
    why""".split()
)


def topic_words(text: str) -> list[str]:
    """The search words of ``text`` that name a topic."""
    return [word for word in terms(text) if word not in _POINTING_WORDS]


def search_texts(turn: Turn) -> tuple[str, str] | None:
    """What to search for, and whose words a passage must contain to be relevant.

    With a selection in play (the passage the reader quoted, or the page highlight when the
    question does not name a topic of its own), the search adds the selection and relevance
    is judged on the selection's words: the passage that contains the selected text is the
    one that explains it. Otherwise both are the question; ``None`` when the question names
    no topic at all and there is no selection (any passage would match "what is this?").
    """
    question = turn.user_text
    selection = turn.quoted_text
    highlight = turn.context.location.highlighted_text
    if not selection and highlight and len(topic_words(question)) < 2:
        selection = highlight
    if selection and terms(selection):
        return f"{question}\n{selection}", selection
    if not topic_words(question):
        return None
    return question, question


def _pieces(text: str) -> Iterator[str]:
    """Word-aligned slices of ``text``, so the answer streams like a model's."""
    piece = ""
    for word in re.findall(r"\S+\s*|\s+", text):
        piece += word
        if len(piece) >= DELTA_CHARS:
            yield piece
            piece = ""
    if piece:
        yield piece


class OfflineTutor:
    """Answers by quoting the book's best-matching passages, with citations."""

    def __init__(self, book: BookIndex) -> None:
        self._book = book

    async def aclose(self) -> None:
        """Nothing to release; present so every responder can be closed the same way."""

    async def find(self, turn: Turn) -> list[SearchHit]:
        """The relevant hits of the current lesson, unless the book has a better match."""
        return (await self._search(turn))[0]

    async def _search(self, turn: Turn) -> tuple[list[SearchHit], str | None]:
        """:meth:`find`'s hits and the scope last searched (``None``: nothing to search for).

        The lesson comes first: the whole book replaces its hits only when the book's best
        passage covers more of the question than the lesson's best one.
        """
        location = turn.context.location
        scope = ScopeContext(
            current_chapter=location.current_chapter, current_lesson=location.current_lesson
        )
        texts = search_texts(turn)
        if texts is None:
            return [], None
        query, judged = texts
        searched: str | None = None
        scopes = ("current_lesson", "entire_book") if location.current_lesson else ("entire_book",)
        best: list[SearchHit] = []
        best_share = 0.0
        for name in scopes:
            result = await search_book_content(self._book, query, name, scope, k=CANDIDATES)
            searched = result.searched_scope
            shares = await coverage(self._book, judged, result.hits)
            relevant = [hit for hit, share in zip(result.hits, shares, strict=True) if share >= COVERAGE_THRESHOLD]
            top_share = max(shares, default=0.0)
            if relevant and top_share > best_share:
                best, best_share = relevant, top_share
            if result.searched_scope == "entire_book" or best_share >= 1.0:
                break
        return best[:MAX_PASSAGES], searched

    async def respond(self, turn: Turn) -> AsyncGenerator[ResponderEvent, None]:
        yield Progress("Searching the book…", "search")
        hits, searched = await self._search(turn)
        selection = turn.quoted_text or turn.context.location.highlighted_text
        yield Grounding(
            scope=searched, cited=bool(hits), not_in_book=not hits,
            anchor=hits[0].url if hits and selection else None,
        )
        level = turn.context.learning_level
        if not hits:
            text = (
                f"{NOT_FOUND} I answer from the book only, without a language model, so I "
                "cannot help with questions it does not cover. Try the words the book uses, "
                "or ask about the lesson you are reading."
            )
            for piece in _pieces(text):
                yield TextDelta(piece)
            return
        intro = _INTROS.get(level, _INTROS["beginner"])
        for piece in _pieces(f"{intro}\n\n_{NO_MODEL_NOTE}_\n\n"):
            yield TextDelta(piece)
        for hit in hits:
            section = " › ".join(hit.heading_path) or hit.title
            # The snippet's ``**`` match markers help a model; in a quoted passage they are noise.
            passage = hit.snippet.replace("**", "").strip()
            for piece in _pieces(f"**{section}**: {passage}"):
                yield TextDelta(piece)
            yield Citation(title=citation_title(hit), url=hit.url)
            yield TextDelta("\n\n")
        for piece in _pieces(_OUTROS.get(level, _OUTROS["beginner"])):
            yield TextDelta(piece)

    async def title(self, turn: Turn) -> str:
        """The question itself, shortened: no model to summarise it."""
        return shorten_question(turn.user_text)
