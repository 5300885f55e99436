"""A deterministic synthetic Docusaurus book for the search benchmark.

Pages look like real lessons: numbered chapter folders with ``_category_.json``, an ``index.md``
per chapter, front matter, h2/h3 sections, admonitions, fenced code and tables, and prose drawn
from a Zipf-like vocabulary (a few very common words, a long tail of rare ones) so bm25 and the
FTS5 posting lists behave as they would on a real book.
"""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import dataclass
from pathlib import Path

#: Function words: about 40% of running English text (the query side drops them).
_FUNCTION = ("the of and to in is that for it as with on be by this are from or an at which you can").split()
#: Topic words every lesson of a programming book uses.
_TOPIC = "data model agent function value each time call result list state step example".split()
_COMMON = _FUNCTION + _TOPIC
_SYLLABLES = "ka lo mi nu re sa ti vo ze pra sto quen dil mor fax bel tri gon vex lum".split()


@dataclass(frozen=True)
class SyntheticPage:
    """What the query generator needs to know about one page."""

    chapter_id: str
    lesson_id: str
    title: str
    words: tuple[str, ...]  # a sample of the page's rarer words


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class _Prose:
    def __init__(self, rng: random.Random, vocabulary: list[str]) -> None:
        self.rng = rng
        self.vocabulary = vocabulary
        # Zipf-like weights for content words: word i has weight 1 / (i + 30), the offset
        # standing for the function and topic words that take the top ranks in real text.
        self.cum_weights = list(itertools.accumulate(1.0 / (rank + 30) for rank in range(len(vocabulary))))

    def words(self, count: int) -> list[str]:
        drawn = self.rng.choices(self.vocabulary, cum_weights=self.cum_weights, k=count)
        out: list[str] = []
        for word in drawn:
            roll = self.rng.random()
            out.append(
                self.rng.choice(_FUNCTION) if roll < 0.4 else self.rng.choice(_TOPIC) if roll < 0.48 else word
            )
        return out

    def sentence(self) -> str:
        words = self.words(self.rng.randint(8, 20))
        return " ".join(words).capitalize() + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(3, 7)))


def _page(prose: _Prose, rng: random.Random, title: str) -> tuple[str, set[str]]:
    parts = [f"# {title}", "", prose.paragraph(), ""]
    for h2 in range(rng.randint(3, 5)):
        parts += [f"## {' '.join(prose.words(3)).title()}", "", prose.paragraph(), ""]
        if rng.random() < 0.3:
            parts += [":::tip[Remember]", prose.sentence(), ":::", ""]
        if rng.random() < 0.4:
            body = "\n".join(f"    {word} = compute_{word}({h2})" for word in prose.words(6))
            parts += ["```python", "def run():", body, "```", ""]
        if rng.random() < 0.2:
            parts += ["| term | meaning |", "| --- | --- |"]
            parts += [f"| {a} | {b} |" for a, b in zip(prose.words(4), prose.words(4), strict=True)] + [""]
        for _ in range(rng.randint(0, 2)):
            parts += [f"### {' '.join(prose.words(2)).title()}", "", prose.paragraph(), ""]
    text = "\n".join(parts)
    rare = {word for word in text.split() if word.isalpha() and len(word) > 5 and word not in _COMMON}
    return text, rare


def write_book(root: Path, pages: int = 2000, *, chapters: int = 20, seed: int = 2026) -> list[SyntheticPage]:
    """Write ``pages`` docs under ``root`` and describe them for the query generator."""
    rng = random.Random(seed)
    prose = _Prose(rng, _vocabulary(rng, 6000))
    written: list[SyntheticPage] = []
    per_chapter = max(1, pages // chapters)
    for number in range(pages):
        chapter = number // per_chapter
        folder = root / f"{chapter + 1:02d}-chapter-{chapter + 1}"
        if not folder.exists():
            folder.mkdir(parents=True)
            (folder / "_category_.json").write_text(
                json.dumps(
                    {"label": f"Chapter {chapter + 1}", "customProps": {"chapterId": f"ch{chapter + 1}"}}
                ),
                encoding="utf-8",
            )
            index_text, _ = _page(prose, rng, f"Chapter {chapter + 1} overview")
            (folder / "index.md").write_text(index_text, encoding="utf-8")
        lesson = f"lesson-{number + 1}"
        title = " ".join(prose.words(4)).title()
        text, rare = _page(prose, rng, title)
        front = f"---\ntitle: {json.dumps(title)}\nsidebar_position: {number % per_chapter + 1}\n---\n\n"
        (folder / f"{number % per_chapter + 1:03d}-{lesson}.md").write_text(front + text, encoding="utf-8")
        sample = tuple(sorted(rare)[:: max(1, len(rare) // 12)])
        written.append(SyntheticPage(f"ch{chapter + 1}", lesson, title, sample))
    return written
