"""Heading anchors exactly as Docusaurus makes them (github-slugger 2 plus explicit ids).

github-slugger lower-cases the text, deletes every character outside a fixed Unicode set and turns
spaces into hyphens; repeats get ``-1``, ``-2``... Its set was generated from Unicode
categories: letters, marks, decimal and letter numbers, connector punctuation (``_``), space,
hyphen-minus, plus the circled/squared Latin letters (``So`` characters with the Alphabetic
property). That rule is expressed here with :mod:`unicodedata` and was checked code point by code
point against the real package; the only differences are characters added after Unicode 13,
which github-slugger's table does not know.

Docusaurus (mdx-loader ``headings`` plugin) gives an explicit ``{#custom-id}`` (or a trailing
``{/* #id */}`` / ``<!-- #id -->`` comment) precedence and does *not* register it with the
slugger, so a later heading with the same text still gets the bare slug.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: ``So`` code points github-slugger keeps: circled and squared Latin letters.
_KEPT_SYMBOL_RANGES = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))
_KEPT_CATEGORIES = frozenset({"Nd", "Nl", "Pc"})

#: Docusaurus's classic explicit id: the last ``{#...}`` of the heading, which must end the line.
_CLASSIC_ID = re.compile(r"\s*\{#(?P<id>(?:.(?!\{#|\}))*.)\}$")
#: ``{/* #id */}`` or ``<!-- #id -->`` at the end of a heading (first word must start with #).
_COMMENT_ID = re.compile(r"\s*(?:\{/\*(?P<mdx>.*?)\*/\}|<!--(?P<html>.*?)-->)\s*$")


@lru_cache(maxsize=4096)
def _kept(char: str) -> bool:
    if char in " -":
        return True
    category = unicodedata.category(char)
    if category[0] in "LM" or category in _KEPT_CATEGORIES:
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _KEPT_SYMBOL_RANGES)


def slug(value: str, *, maintain_case: bool = False) -> str:
    """github-slugger's ``slug()``: no memory of earlier slugs."""
    if not maintain_case:
        value = value.lower()
    return "".join(char for char in value if _kept(char)).replace(" ", "-")


class Slugger:
    """github-slugger's stateful ``BananaSlug``: one per page, in document order."""

    def __init__(self) -> None:
        self._occurrences: dict[str, int] = {}

    def slug(self, value: str) -> str:
        base = slug(value)
        result = base
        while result in self._occurrences:
            self._occurrences[base] += 1
            result = f"{base}-{self._occurrences[base]}"
        self._occurrences[result] = 0
        return result


def split_explicit_id(heading_source: str) -> tuple[str, str | None]:
    """Split ``Text {#id}`` (or a trailing id comment) into ``("Text", "id")``."""
    comment = _COMMENT_ID.search(heading_source)
    if comment:
        content = comment.group("mdx") if comment.group("mdx") is not None else comment.group("html")
        first = content.strip().split(" ")[0]
        if first.startswith("#") and len(first) > 1:
            return heading_source[: comment.start()].rstrip(), first[1:]
    classic = _CLASSIC_ID.search(heading_source)
    if classic:
        return heading_source[: classic.start()], classic.group("id").strip()
    return heading_source, None
