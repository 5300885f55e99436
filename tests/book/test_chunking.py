"""Chunking: 300–500 words, small overlap, code blocks and tables never split."""

from __future__ import annotations

import itertools

from tutorgpt_asgi.book.chunking import MAX_WORDS, OVERLAP_WORDS, chunk_section, split_blocks
from tutorgpt_asgi.book.model import Section


def _paragraph(n: int, word: str) -> str:
    sentences = [" ".join(f"{word}{i}_{j}" for j in range(9)) + "." for i in range(n // 10)]
    return " ".join(sentences)


def test_short_section_is_one_chunk() -> None:
    section = Section("a", ("T", "A"), "One short paragraph.\n\n```py\nx = 1\n```")
    assert chunk_section(section) == [section.text]


def test_long_section_is_cut_with_overlap() -> None:
    text = "\n\n".join(_paragraph(150, f"p{n}w") for n in range(6))  # ~900 words
    chunks = chunk_section(Section("a", ("T",), text))
    assert len(chunks) >= 2
    for chunk in chunks:
        assert len(chunk.split()) <= MAX_WORDS + OVERLAP_WORDS
    for before, after in itertools.pairwise(chunks):
        tail = before.split("\n\n")[-1].split(". ")[-1]
        assert tail and tail in after  # the last sentence is repeated
    words = set(text.split())
    assert words == set(" ".join(chunks).split())  # nothing lost


def test_code_block_and_table_are_never_split() -> None:
    code = "```python\n" + "\n".join(f"line_{i} = {i}\n" for i in range(300)) + "```"
    table = "| a | b |\n" + "\n".join(f"| cell{i} | value{i} |" for i in range(120))
    text = "\n\n".join(
        [_paragraph(200, "intro"), code, _paragraph(200, "middle"), table, _paragraph(100, "end")]
    )
    chunks = chunk_section(Section("a", ("T",), text))
    assert sum(chunk.count(code) for chunk in chunks) == 1
    assert sum(chunk.count(table) for chunk in chunks) == 1
    for chunk in chunks:
        assert chunk.count("```") % 2 == 0


def test_blocks_keep_blank_lines_inside_fences() -> None:
    assert split_blocks("a\n\n```\nx\n\ny\n```\n\nb") == ["a", "```\nx\n\ny\n```", "b"]


def test_giant_paragraph_is_cut_at_sentences() -> None:
    chunks = chunk_section(Section(None, ("T",), _paragraph(1200, "g")))
    assert len(chunks) >= 3
    assert all(chunk.rstrip().endswith(".") for chunk in chunks)
