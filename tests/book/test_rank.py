"""Common words ranked in Python: the stored counts are FTS5's, and the scores are its bm25()."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tutorgpt_asgi.book import BookIndex, search, search_book_content, terms
from tutorgpt_asgi.book.index import BM25_WEIGHTS
from tutorgpt_asgi.book.query import phrases
from tutorgpt_asgi.book.query import terms as query_terms
from tutorgpt_asgi.book.rank import heading_candidates, rank_candidates, varints

from .conftest import DOCS
from .test_search import GOLDEN

pytestmark = pytest.mark.anyio

#: The stored counts, recomputed from FTS5's own instance vocabulary: every row of the stems in
#: under half the chunks, the title and heading rows of the others.
_FROM_FTS = """SELECT term, doc, sum(col = 'title'), sum(col = 'headings'), sum(col = 'body')
FROM chunks_instances WHERE term IN (SELECT term FROM common_terms)
GROUP BY term, doc
HAVING (SELECT postings FROM common_terms AS t WHERE t.term = chunks_instances.term) = 1
    OR sum(col != 'body') > 0
ORDER BY term, doc"""


@pytest.fixture(autouse=True)
def _small_book_has_common_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make "common" apply to the fixture book: any stem in 15% of its chunks."""
    monkeypatch.setattr(terms, "COMMON_MIN_CHUNKS", 1)
    monkeypatch.setattr(terms, "COMMON_SHARE", 0.15)


def _stored(db_path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with sqlite3.connect(db_path) as db:
        stored = db.execute(
            "SELECT term, chunk, title, headings, body FROM common_postings ORDER BY term, chunk"
        ).fetchall()
        # Lengths are FTS5's (its docsize record), on chunks and on the title and heading rows.
        lengths = {rowid: sum(varints(size)) for rowid, size in db.execute("SELECT id, sz FROM chunks_fts_docsize")}
        assert dict(db.execute("SELECT id, length FROM chunks")) == lengths
        for chunk, length in db.execute("SELECT chunk, length FROM common_postings WHERE title + headings > 0"):
            assert length == lengths[chunk]
        return stored, db.execute(_FROM_FTS).fetchall()


def test_varints_are_sqlite_s() -> None:
    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE VIRTUAL TABLE t USING fts5(a, b)")
        db.execute("INSERT INTO t VALUES (?, ?)", (" ".join(["w"] * 300), "x y"))
        db.commit()
        (size,) = db.execute("SELECT sz FROM t_docsize").fetchone()
        (averages,) = db.execute("SELECT block FROM t_data WHERE id = 1").fetchone()
    assert varints(size) == [300, 2]
    assert varints(averages) == [1, 300, 2]
    assert varints(bytes([0x81, 0x8D, 0x7C])) == [18172]


async def test_stored_counts_match_fts5_after_every_kind_of_reindex(docs_copy: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "book.db"
    async with await BookIndex.open(f"sqlite:///{db_path}") as index:
        await index.index_path(docs_copy)
        stored, expected = _stored(db_path)
        assert stored and stored == expected
        await index.index_path(docs_copy)  # unchanged: nothing rewritten
        assert _stored(db_path) == (stored, expected)
        lesson = docs_copy / "02-advanced" / "01-tuning.md"
        lesson.write_text(lesson.read_text(encoding="utf-8") + "\n\nWidget widget widget gadget.\n", encoding="utf-8")
        (docs_copy / "about.md").unlink()
        await index.index_path(docs_copy)
    changed, expected = _stored(db_path)
    assert changed == expected and changed != stored
    with sqlite3.connect(db_path) as db:
        frequencies = dict(db.execute("SELECT term, doc FROM chunks_vocab"))
        for term, chunks in db.execute("SELECT term, chunks FROM common_terms"):
            assert frequencies[term] == chunks


async def test_python_scores_are_fts5_bm25(db_url: str) -> None:
    """For each candidate, bm25 summed in Python equals FTS5's bm25() over the whole question."""
    async with await BookIndex.open(db_url) as index:
        await index.index_path(DOCS)
        checked = 0
        for question, _ in GOLDEN:
            plan, _, cut = await search._prepare(index, question, None)
            assert plan is not None
            if cut is None:
                continue
            values = {"limit": 50, "candidate_limit": 60, "candidates": plan.candidates[-1]}
            ours = await rank_candidates(index, cut, {"range": "", "columns": ""}, values, BM25_WEIGHTS)
            rank = f"bm25(chunks_fts, {', '.join(map(str, BM25_WEIGHTS))})"
            fts5 = dict(
                await index.fetchall(
                    f"SELECT rowid, {rank} FROM chunks_fts WHERE chunks_fts MATCH ?", (plan.expression,)
                )
            )
            assert ours
            for rowid, score, _, _ in ours:
                assert score == pytest.approx(fts5[rowid], abs=1e-5), question
            checked += 1
    assert checked >= 4


async def test_same_hits_with_and_without_the_stored_counts(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with await BookIndex.open(db_url) as index:
        await index.index_path(DOCS)
        with_counts = [await search_book_content(index, question, k=5) for question, _ in GOLDEN]
        monkeypatch.setattr(search, "split", lambda *args: None)  # FTS5 ranks everything
        without = [await search_book_content(index, question, k=5) for question, _ in GOLDEN]
    for a, b in zip(with_counts, without, strict=True):
        assert [hit.score for hit in a.hits] == [hit.score for hit in b.hits]
        # Rows equal to 1e-6 (words in over half of this tiny book's chunks) may swap places.
        scores = [hit.score for hit in a.hits]
        assert [hit.url for hit in a.hits if scores.count(hit.score) == 1] == [
            hit.url for hit in b.hits if scores.count(hit.score) == 1
        ]


def test_identifier_phrases_on_hostile_runs() -> None:
    """Identifiers are found after long runs of word characters, and a run of 10 000 letters
    has none (it used to cost 0.45 s of CPU: the pattern retried from every position)."""
    assert phrases("x" * 10_000) == []
    assert phrases("y" * 300 + " then max_retries and maxRetries") == ["max retries", "maxretries"]
    assert query_terms("y" * 300 + " maxRetries")[-2:] == ["max", "retries"]


async def test_title_and_heading_stage_picks_what_fts5_picks(db_url: str) -> None:
    """The candidate stage "rare words, or a common word in a title or heading", from the
    stored counts, finds FTS5's rows for that expression, best first."""
    async with await BookIndex.open(db_url) as index:
        await index.index_path(DOCS)
        checked = 0
        for question in [q for q, _ in GOLDEN] + ["widget gadget hum", "How do widgets and gadgets work together?"]:
            plan, _, cut = await search._prepare(index, question, None)
            if cut is None or cut.common is None:
                continue
            stage = plan.candidates[plan.heading_stage]
            values = {"candidate_limit": 1000}
            ours = await heading_candidates(index, plan, cut.common, {"range": "", "columns": ""}, values, BM25_WEIGHTS)
            rank = f"bm25(chunks_fts, {', '.join(map(str, BM25_WEIGHTS))})"
            fts5 = await index.fetchall(
                f"SELECT rowid, {rank} FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY 2", (stage,)
            )
            assert ours is not None and set(ours) == {rowid for rowid, _ in fts5}, question
            assert ours[0] == fts5[0][0] or fts5[0][1] == pytest.approx(fts5[1][1]), question
            checked += 1
    assert checked >= 3
