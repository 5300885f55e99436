"""The offline tutor on the example book: golden facts found and cited, off-book questions refused."""

from __future__ import annotations

import pytest

from tests.agent.conftest import GOLDEN_FACTS, SITE_URL, collect, turn_for
from tutorgpt_asgi.agent.offline import CANDIDATES, MAX_PASSAGES, NO_MODEL_NOTE, NOT_FOUND, OfflineTutor
from tutorgpt_asgi.book.index import BookIndex
from tutorgpt_asgi.book.search import search_book_content
from tutorgpt_asgi.chatkit.responder import Citation, Progress, TextDelta
from tutorgpt_asgi.sessions.context import PageContext
from tutorgpt_asgi.sessions.service import AuthenticatedSession

pytestmark = pytest.mark.anyio

OFF_BOOK = [
    "How do I bake sourdough bread?",
    "What is the best real estate agent in town?",
    "Which tools do I need to build a wooden chair?",
    "What is a context switch in an operating system kernel?",
    "What is the loop of a roller coaster called?",
]


def _text(events: list) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def _at(fact: dict[str, str] | None) -> PageContext:
    if fact is None:  # a page of another chapter than the fact's
        return PageContext(current_chapter="retrieval", current_lesson="chunking")
    return PageContext(current_chapter=fact["chapter_id"], current_lesson=fact["lesson_id"])


@pytest.mark.parametrize("where", ["in its lesson", "elsewhere"])
@pytest.mark.parametrize("fact", GOLDEN_FACTS, ids=[f["lesson_id"] for f in GOLDEN_FACTS])
async def test_golden_fact_questions_are_answered_and_cited(
    fact: dict[str, str], where: str, book: BookIndex, jane: AuthenticatedSession
) -> None:
    location = _at(fact if where == "in its lesson" else None)
    if where == "elsewhere" and location.current_lesson == fact["lesson_id"]:
        location = PageContext(current_chapter="ai-agents", current_lesson="agent-loop")
    tutor = OfflineTutor(book)
    events, error = await collect(tutor, turn_for(jane, fact["question"], location=location))
    assert error is None
    assert events[0] == Progress("Searching the book…", "search")
    text = _text(events)
    assert fact["expect"] in text  # quoted plainly: no search-match markers inside the passage
    assert NO_MODEL_NOTE in text and NOT_FOUND not in text
    citations = [e for e in events if isinstance(e, Citation)]
    assert citations[0].url == f"{SITE_URL}{fact['permalink']}#{fact['anchor']}"
    assert len(citations) <= 3 and all(c.url.startswith(SITE_URL) for c in citations)


@pytest.mark.parametrize("question", OFF_BOOK)
async def test_off_book_questions_get_an_honest_not_found(
    question: str, book: BookIndex, jane: AuthenticatedSession
) -> None:
    events, error = await collect(OfflineTutor(book), turn_for(jane, question))
    assert error is None
    assert _text(events).startswith(NOT_FOUND)
    assert "without a language model" in _text(events)
    assert not any(isinstance(e, Citation) for e in events)


async def test_a_question_about_the_highlight_cites_the_current_lesson(
    book: BookIndex, jane: AuthenticatedSession
) -> None:
    # Jane highlighted "for _turn in range(TURN_BUDGET):" in the agent-loop lesson.
    events, _ = await collect(OfflineTutor(book), turn_for(jane, "What does this line of code do?"))
    citations = [e for e in events if isinstance(e, Citation)]
    assert citations and citations[0].url.startswith(f"{SITE_URL}/docs/foundations/agent-loop#")
    assert "TURN" in _text(events)


async def test_citations_follow_their_passage_and_text_streams_in_pieces(
    book: BookIndex, jane: AuthenticatedSession
) -> None:
    fact = GOLDEN_FACTS[0]
    events, _ = await collect(OfflineTutor(book), turn_for(jane, fact["question"]))
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 5 and all(len(d.text) < 120 for d in deltas)
    first_citation = next(i for i, e in enumerate(events) if isinstance(e, Citation))
    assert fact["expect"] in _text(events[:first_citation]).replace("**", "")


async def test_framing_follows_the_level(book: BookIndex, jane: AuthenticatedSession) -> None:
    question = GOLDEN_FACTS[0]["question"]
    texts = {}
    for level in ("beginner", "advanced"):
        events, _ = await collect(OfflineTutor(book), turn_for(jane, question, level=level))
        texts[level] = _text(events)
    assert texts["beginner"].startswith("Here is what the book says about this.")
    assert texts["advanced"].startswith("Relevant passages:")


async def test_title_is_the_shortened_question(book: BookIndex, jane: AuthenticatedSession) -> None:
    tutor = OfflineTutor(book)
    assert await tutor.title(turn_for(jane, "  What is the turn budget?\n")) == "What is the turn budget?"
    long = await tutor.title(turn_for(jane, "Why " + "exactly " * 20 + "?"))
    assert len(long) <= 60 and long.endswith("…")


@pytest.mark.parametrize("question", ["What is this?", "Explain this please", "Why?"])
async def test_a_question_without_a_topic_or_selection_is_not_guessed(
    question: str, book: BookIndex, jane: AuthenticatedSession
) -> None:
    nowhere = PageContext(current_chapter="ai-agents", current_lesson="agent-loop")
    events, _ = await collect(OfflineTutor(book), turn_for(jane, question, location=nowhere))
    assert _text(events).startswith(NOT_FOUND)
    # With the highlight, the same question is about the highlighted code.
    events, _ = await collect(OfflineTutor(book), turn_for(jane, question))
    citations = [e for e in events if isinstance(e, Citation)]
    assert citations[0].url == f"{SITE_URL}/docs/foundations/agent-loop#perceive-decide-act"


async def test_a_quoted_passage_decides_what_the_question_is_about(
    book: BookIndex, jane: AuthenticatedSession
) -> None:
    quote = "every claim about the book carries a citation"
    events, _ = await collect(
        OfflineTutor(book), turn_for(jane, "Can you say more about this?", quoted_text=quote))
    citations = [e for e in events if isinstance(e, Citation)]
    assert citations[0].url == f"{SITE_URL}/docs/retrieval/evaluating-answers#what-a-good-answer-looks-like"


async def test_a_question_with_its_own_topic_is_judged_on_the_question_not_the_quote(
    book: BookIndex, jane: AuthenticatedSession
) -> None:
    quote = "async def run_agent(question: str, tools: dict, model) -> str:"
    events, _ = await collect(OfflineTutor(book), turn_for(
        jane, "What is the boiling point of tungsten on Mars?", quoted_text=quote))
    assert _text(events).startswith(NOT_FOUND)
    assert not any(isinstance(e, Citation) for e in events)
    # A pointing question about the same quote is about the quote.
    events, _ = await collect(OfflineTutor(book), turn_for(jane, "What does this line mean?", quoted_text=quote))
    citations = [e for e in events if isinstance(e, Citation)]
    assert citations[0].url.startswith(f"{SITE_URL}/docs/foundations/agent-loop")


async def test_code_from_the_book_is_quoted_as_a_fenced_block(
    book: BookIndex, jane: AuthenticatedSession
) -> None:
    events, _ = await collect(OfflineTutor(book), turn_for(
        jane, "How does run_agent use the turn budget in its loop?"))
    text = _text(events)
    assert "```python\nasync def run_agent(question: str, tools: dict, model) -> str:\n" in text
    assert '    history = [{"role": "user", "content": question}]\n' in text
    assert text.count("```") % 2 == 0
    for line in text.splitlines():  # no inline code span left open where prose was cut
        if not line.startswith("```"):
            assert line.count("`") % 2 == 0, line


async def test_a_table_from_the_book_is_quoted_as_a_table(book: BookIndex, jane: AuthenticatedSession) -> None:
    events, _ = await collect(OfflineTutor(book), turn_for(
        jane, "Which part of a tool description tells the model when to call the tool?"))
    lines = _text(events).splitlines()
    rows = [line for line in lines if line.startswith("|")]
    assert len(rows) >= 4 and rows[1].replace(" ", "").strip("|").replace("|", "") == "---" * 3


# The fallback panel's own prompts for a selection (docusaurus-plugin/src/client/selection.ts,
# defaultPrompt): they name no topic, so the quoted passage decides what they are about.
@pytest.mark.parametrize("question", ["Explain this in simpler terms.", "Which part of this is unclear?"])
async def test_the_panels_default_prompts_are_about_the_quoted_passage(
    question: str, book: BookIndex, jane: AuthenticatedSession
) -> None:
    quote = "every claim about the book carries a citation"
    events, _ = await collect(OfflineTutor(book), turn_for(jane, question, quoted_text=quote))
    citations = [e for e in events if isinstance(e, Citation)]
    expected = f"{SITE_URL}/docs/retrieval/evaluating-answers#what-a-good-answer-looks-like"
    assert citations and citations[0].url == expected


async def test_passages_ranked_above_the_first_covering_one_are_quoted(
    book: BookIndex, jane: AuthenticatedSession
) -> None:
    """Once the result covers the question, a passage the search ranks above the first covering
    one is quoted even when it alone covers less than the bar (the first hit of Django's "text
    column ... never store NULL?" is the right page at 0.435 of 0.5)."""
    question = "How do I stop a long conversation from overflowing the prompt?"
    result = await search_book_content(book, question, k=CANDIDATES, judge=question)
    first, second = result.hits[:2]
    assert not result.weak_match and first.coverage < result.needed_coverage <= second.coverage
    events, _ = await collect(OfflineTutor(book), turn_for(jane, question, location=PageContext()))
    cited = [e.url for e in events if isinstance(e, Citation)]
    assert cited[:2] == [first.url, second.url]


async def test_below_the_first_covering_passage_only_covering_ones_are_quoted(
    book: BookIndex, jane: AuthenticatedSession
) -> None:
    question = "How many times may the tutor go round before it gives up?"
    result = await search_book_content(book, question, k=CANDIDATES, judge=question)
    covering = [hit.url for hit in result.hits if hit.coverage >= result.needed_coverage]
    assert result.hits[0].coverage >= result.needed_coverage > result.hits[1].coverage
    events, _ = await collect(OfflineTutor(book), turn_for(jane, question, location=PageContext()))
    assert [e.url for e in events if isinstance(e, Citation)] == covering[:MAX_PASSAGES]
