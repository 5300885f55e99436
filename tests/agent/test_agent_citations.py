"""Citations come only from sources the tools returned, found in text that arrives in pieces."""

from __future__ import annotations

import pytest

from tutorgpt_asgi.agent.citations import CitationScanner, SourceRegistry
from tutorgpt_asgi.chatkit.responder import Citation

LOOP = "https://book.example/docs/foundations/agents#the-agent-loop"
LOOP_1 = "https://book.example/docs/foundations/agents#the-agent-loop-1"
ASYNC = "/docs/python/async#await"


def _registry() -> SourceRegistry:
    sources = SourceRegistry()
    sources.add("The agent loop", LOOP)
    sources.add("The agent loop (again)", LOOP_1)
    sources.add("await", ASYNC)
    return sources


def _scan(text: str, piece: int) -> list[tuple[int, Citation]]:
    """Feed ``text`` in pieces; return each citation with the text length when it came out."""
    scanner = CitationScanner(_registry())
    found = []
    for start in range(0, len(text), piece):
        for citation in scanner.feed(text[start : start + piece]):
            found.append((len(scanner.text), citation))
    found += [(len(scanner.text), citation) for citation in scanner.finish()]
    return found


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 1000])
def test_numbers_and_known_urls_cite_in_order_whatever_the_split(piece: int) -> None:
    text = f"Perceive, decide, act [2]. See [the loop]({LOOP}) and also [3, 1]. Done"
    found = _scan(text, piece)
    assert [c.url for _, c in found] == [LOOP_1, LOOP, ASYNC]
    assert found[0][1] == Citation("The agent loop (again)", LOOP_1)
    # Each citation comes out after its marker, never before.
    assert found[0][0] >= text.index("[2]") + 3
    assert found[1][0] >= text.index(LOOP) + len(LOOP)


def test_a_url_that_continues_is_not_a_shorter_known_url() -> None:
    scanner = CitationScanner(_registry())
    assert scanner.feed(f"see {LOOP}") == []  # it might still become LOOP_1
    assert scanner.feed("-1 now") == [Citation("The agent loop (again)", LOOP_1)]


def test_made_up_links_and_unknown_numbers_are_never_cited() -> None:
    found = _scan(
        "Read https://book.example/docs/invented#x and https://evil.example/ [9] [0] "
        f"{LOOP}x {LOOP}/more",
        5,
    )
    assert found == []


def test_a_url_at_the_very_end_is_cited_when_the_answer_ends() -> None:
    scanner = CitationScanner(_registry())
    assert scanner.feed(f"Source: {ASYNC}") == []
    assert scanner.finish() == [Citation("await", ASYNC)]


def test_each_source_is_cited_once_and_sources_keep_their_number() -> None:
    sources = _registry()
    assert sources.add("dup", LOOP).number == 1
    scanner = CitationScanner(sources)
    assert len(scanner.feed(f"[1] {LOOP} [1]. ")) == 1


def test_sources_added_later_are_recognised() -> None:
    sources = SourceRegistry()
    scanner = CitationScanner(sources)
    assert scanner.feed("Before any search [1]. ") == []
    sources.add("await", ASYNC)
    assert scanner.feed(f"After: {ASYNC} ok") == [Citation("await", ASYNC)]
