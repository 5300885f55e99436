"""OfflineTutor: a deterministic tutor that answers from the book with no language model.

It is the embedded default (no model configured), and the demo and browser tests run on it, so
it must be honest about what it is: it searches the book (the reader's current lesson first,
then the whole book), streams the best passages with their citations and a level-appropriate
frame, says plainly that no language model is involved, and admits when the book has nothing
relevant enough, by the same rule the search tool gives a model (:mod:`tutorgpt_asgi.book.coverage`):
a result whose best passage covers too little of the question is ``weak_match`` and is refused.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Iterator
from typing import Final

from tutorgpt_asgi.agent.passages import excerpt
from tutorgpt_asgi.agent.titles import shorten_question
from tutorgpt_asgi.agent.tools import citation_title
from tutorgpt_asgi.book.index import BookIndex
from tutorgpt_asgi.book.query import STOP_WORDS, terms
from tutorgpt_asgi.book.search import ScopeContext, SearchHit, search_book_content
from tutorgpt_asgi.chatkit.responder import (
    Citation,
    Grounding,
    Progress,
    ResponderEvent,
    TextDelta,
    Turn,
)

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

#: Words that point at the reader's selection ("what does this line mean?", "explain this in
#: simpler terms", the plugin's own prompts) instead of naming a topic. A question with fewer
#: than two other words leans on the selection.
_POINTING_WORDS: Final = frozenset(
    """what is are was this that these those it its here there mean means meaning do does did
    work works line lines code snippet part bit sentence paragraph example explain please how
    why exactly purpose happens happening doing say says saying understand clarify again
    detail more simpler simple simply plain terms words put rephrase summarize summarise
    summary shorter easier clearer unclear""".split()
)


def topic_words(text: str) -> list[str]:
    """The search words of ``text`` that name a topic."""
    return [word for word in terms(text) if word not in _POINTING_WORDS and word not in STOP_WORDS]


def search_texts(turn: Turn) -> tuple[str, str] | None:
    """What to search for, and the text relevance is judged on.

    A selection (the passage the reader quoted, or the page highlight when the question does
    not name a topic of its own) is added to the search, so the passage that contains it ranks
    first. Relevance is judged on the question whenever it names a topic: "What is the boiling
    point of tungsten on Mars?" is not about the quoted ``async`` line, whatever that line
    matches. Only a pointing question ("what does this line mean?") is judged on the selection.
    ``None`` when there is neither a topic nor a selection (any passage would match "what is
    this?").
    """
    question = turn.user_text
    selection = turn.quoted_text
    highlight = turn.context.location.highlighted_text
    named = topic_words(question)
    if not selection and highlight and len(named) < 2:
        selection = highlight
    if selection and terms(selection):
        return f"{question}\n{selection}", question if named else selection
    if not named:
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


def _quoted(hits: tuple[SearchHit, ...], needed: float) -> list[SearchHit]:
    """The passages to quote from a result that covers the question: those that cover it on
    their own, and those the search ranks above the first one that does, in the search's order.

    Why not only the covering ones: the search ranks with term counts and title and heading
    weights, coverage only counts which words a passage has. A passage the search puts above a
    covering one is at least as likely to answer (Django's "How can a text column be left empty
    in forms but never store NULL?": the right section ranks first but covers 0.435 of the 0.5
    bar, and filtering it out cited three wrong pages). Below the first covering passage,
    coverage vouches for each passage again.
    """
    first = next((i for i, hit in enumerate(hits) if hit.coverage >= needed), 0)
    return [hit for i, hit in enumerate(hits) if i < first or hit.coverage >= needed][:MAX_PASSAGES]


class OfflineTutor:
    """Answers by quoting the book's best-matching passages, with citations."""

    def __init__(self, book: BookIndex) -> None:
        self._book = book

    async def aclose(self) -> None:
        """Nothing to release; present so every responder can be closed the same way."""

    async def find(self, turn: Turn) -> tuple[list[SearchHit], str]:
        """The relevant hits of the current lesson, unless the book has a better match, and
        the text they were judged on."""
        hits, judged, _ = await self._search(turn)
        return hits, judged

    async def _search(self, turn: Turn) -> tuple[list[SearchHit], str, str | None]:
        """:meth:`find`'s answer and the scope last searched (``None``: nothing to search for).

        The lesson comes first: the whole book replaces its hits only when the book's best
        passage covers more of the question than the lesson's best one.
        """
        location = turn.context.location
        scope = ScopeContext(
            current_chapter=location.current_chapter,
            current_lesson=location.current_lesson,
            docs_instance=location.docs_instance,
            version=location.version,
        )
        texts = search_texts(turn)
        if texts is None:
            return [], "", None
        query, judged = texts
        searched: str | None = None
        scopes = ("current_lesson", "entire_book") if location.current_lesson else ("entire_book",)
        best: list[SearchHit] = []
        best_share = 0.0
        for name in scopes:
            result = await search_book_content(self._book, query, name, scope, k=CANDIDATES, judge=judged)
            searched = result.searched_scope
            top_share = max((hit.coverage for hit in result.hits), default=0.0)
            if not result.weak_match and top_share > best_share:
                best = _quoted(result.hits, result.needed_coverage)
                best_share = top_share
            if result.searched_scope == "entire_book" or best_share >= 1.0:
                break
        return best[:MAX_PASSAGES], judged, searched

    async def respond(self, turn: Turn) -> AsyncGenerator[ResponderEvent, None]:
        yield Progress("Searching the book…", "search")
        hits, judged, searched = await self._search(turn)
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
            passage = excerpt(hit.text, terms(judged)) or hit.snippet.replace("**", "")
            for piece in _pieces(f"**{section}**\n\n{passage}\n\n"):
                yield TextDelta(piece)
            yield Citation(title=citation_title(hit), url=hit.url)
            yield TextDelta("\n\n")
        for piece in _pieces(_OUTROS.get(level, _OUTROS["beginner"])):
            yield TextDelta(piece)

    async def title(self, turn: Turn) -> str:
        """The question itself, shortened: no model to summarise it."""
        return shorten_question(turn.user_text)
