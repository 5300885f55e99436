"""Citations: only for sources this turn's tool results showed, found in the streamed answer.

Why scan the text: the model cites by writing ``[n]`` (the number of a search result) or the
result's URL; a citation annotation is emitted only when what it wrote matches a source the
search tool returned in this turn, so a link the model made up never becomes an annotation.
The text arrives in pieces, so a marker can be split across deltas; a URL match that reaches
the end of the text so far waits for the next delta (the URL might continue) or the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutorgpt_asgi.chatkit.responder import Citation

_NUMBERS = r"\[(?P<numbers>\d{1,3}(?:\s*,\s*\d{1,3})*)\]"
#: After a URL: not more URL (a letter, path, fragment or query character, or ".x").
_URL_END = r"(?![\w/#%~+=&?-]|\.\w)"
#: Extra characters kept for re-scanning besides the longest URL, for split ``[n, m]`` markers.
_MARKER_SLACK = 32


@dataclass(frozen=True, slots=True)
class Source:
    """A search hit as the model saw it: its number in this turn, title and citation URL."""

    number: int
    title: str
    url: str


class SourceRegistry:
    """The sources shown to the model in this turn, numbered from 1 across all searches."""

    def __init__(self) -> None:
        self._by_number: dict[int, Source] = {}
        self._by_url: dict[str, Source] = {}

    def add(self, title: str, url: str) -> Source:
        """Register a hit; a URL already shown keeps its number."""
        known = self._by_url.get(url)
        if known is not None:
            return known
        source = Source(len(self._by_number) + 1, title, url)
        self._by_number[source.number] = source
        self._by_url[url] = source
        return source

    def by_number(self, number: int) -> Source | None:
        return self._by_number.get(number)

    def by_url(self, url: str) -> Source | None:
        return self._by_url.get(url)

    @property
    def urls(self) -> list[str]:
        return list(self._by_url)


class CitationScanner:
    """Feeds on answer deltas and returns the citations they complete, each source once."""

    def __init__(self, sources: SourceRegistry) -> None:
        self._sources = sources
        self._text = ""
        self._resume = 0
        self._cited: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._pattern_urls = -1
        self._lookback = _MARKER_SLACK

    @property
    def text(self) -> str:
        """The whole answer so far."""
        return self._text

    def feed(self, delta: str) -> list[Citation]:
        """Add a delta; return the citations that are now complete."""
        self._text += delta
        return self._scan(final=False)

    def finish(self) -> list[Citation]:
        """The end of the answer: a URL at the very end is complete now."""
        return self._scan(final=True)

    def _current_pattern(self) -> re.Pattern[str]:
        urls = self._sources.urls
        if self._pattern is None or len(urls) != self._pattern_urls:
            alternatives = [_NUMBERS]
            if urls:
                escaped = "|".join(re.escape(url) for url in sorted(urls, key=len, reverse=True))
                alternatives.append(f"(?P<url>{escaped}){_URL_END}")
            self._pattern = re.compile("|".join(alternatives))
            self._pattern_urls = len(urls)
            self._lookback = max((len(url) for url in urls), default=0) + _MARKER_SLACK
        return self._pattern

    def _scan(self, *, final: bool) -> list[Citation]:
        found: list[Citation] = []
        pattern = self._current_pattern()
        end = len(self._text)
        for match in pattern.finditer(self._text, self._resume):
            url = match.groupdict().get("url")
            if url is not None:
                if match.end() == end and not final:
                    self._resume = match.start()
                    return found
                found.extend(self._cite(self._sources.by_url(url)))
            else:
                for number in re.findall(r"\d+", match.group("numbers")):
                    found.extend(self._cite(self._sources.by_number(int(number))))
            self._resume = match.end()
        self._resume = max(self._resume, end - self._lookback)
        return found

    def _cite(self, source: Source | None) -> list[Citation]:
        if source is None or source.url in self._cited:
            return []
        self._cited.add(source.url)
        return [Citation(title=source.title, url=source.url)]
