"""The book index: one SQLite file (FTS5, porter stemming, bm25) built from a book source.

Why this shape:
- **Atomic re-index.** All changes of one :meth:`BookIndex.index_path` run are written in a single
  write transaction on a WAL database, so a concurrent search reads either the old snapshot or
  the new one, never a mix.
- **Incremental.** Each page keeps a fingerprint (a hash of everything indexed about it, including
  the source's ``content_hash``); unchanged pages are not touched, changed ones are rewritten,
  missing ones deleted.
- **Non-blocking.** Parsing runs in a worker thread and the database is the store's SQLite
  engine (a writer thread, a batching reader thread), so the event loop keeps serving while a book
  is indexed or searched.
- **Built once per host.** Workers that start together with ``TUTORGPT_BOOK`` set take turns on
  a lock file beside the index: the first indexes, the others then find every page unchanged.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread

from tutorgpt_asgi.store.database import DatabaseUnavailable, Transaction
from tutorgpt_asgi.store.migrations import split_statements
from tutorgpt_asgi.store.sqlite import SQLiteDatabase
from tutorgpt_asgi.store.urls import parse_database_url

from .docs_folder import read_docs_folder
from .errors import BookError
from .export import read_export
from .model import Book
from .rank import RankingStats, varints
from .rows import INDEX_FORMAT, fingerprint, page_key, rows, write_chapters
from .terms import TOKENIZE, Stemmer, common_threshold, common_words

#: bm25 column weights: page title, section headings, body text.
BM25_WEIGHTS = (3.0, 2.0, 1.0)

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shelves (
    shelf TEXT PRIMARY KEY, docs_instance TEXT NOT NULL, version TEXT NOT NULL, label TEXT NOT NULL,
    is_default INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS chapters (
    shelf TEXT NOT NULL, id TEXT NOT NULL, title TEXT NOT NULL, position REAL, permalink TEXT,
    lesson_ids TEXT NOT NULL, part_id TEXT, part_title TEXT, PRIMARY KEY (shelf, id)
);
CREATE TABLE IF NOT EXISTS pages (
    page_key TEXT PRIMARY KEY, shelf TEXT NOT NULL, docs_instance TEXT NOT NULL, version TEXT NOT NULL,
    doc_id TEXT NOT NULL, permalink TEXT NOT NULL, path_key TEXT NOT NULL, title TEXT NOT NULL,
    description TEXT NOT NULL, part_id TEXT, part_title TEXT,
    chapter_id TEXT, lesson_id TEXT NOT NULL, role TEXT NOT NULL, position REAL,
    source_path TEXT NOT NULL, content_hash TEXT NOT NULL, fingerprint TEXT NOT NULL,
    word_count INTEGER NOT NULL, section_count INTEGER NOT NULL, headings TEXT NOT NULL,
    generation INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS pages_scope ON pages (chapter_id, lesson_id);
CREATE INDEX IF NOT EXISTS pages_path ON pages (path_key);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, page_key TEXT NOT NULL, shelf TEXT NOT NULL, doc_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL, chapter_id TEXT,
    lesson_id TEXT NOT NULL, anchor TEXT, heading_path TEXT NOT NULL, permalink TEXT NOT NULL,
    title TEXT NOT NULL, length INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS chunks_page ON chunks (page_key);
CREATE INDEX IF NOT EXISTS chunks_scope ON chunks (chapter_id, lesson_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5 (
    title, headings, body, tokenize = '{TOKENIZE}'
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab (chunks_fts, 'row');
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_instances USING fts5vocab (chunks_fts, 'instance');
CREATE TABLE IF NOT EXISTS common_terms (
    term TEXT PRIMARY KEY, chunks INTEGER NOT NULL, postings INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS common_postings (
    term TEXT NOT NULL, chunk INTEGER NOT NULL, title INTEGER NOT NULL, headings INTEGER NOT NULL,
    body INTEGER NOT NULL, length INTEGER NOT NULL, PRIMARY KEY (term, chunk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS common_heads ON common_postings (term, chunk, title, headings, length)
    WHERE title + headings > 0;
"""
_TABLES = (
    "meta", "shelves", "chapters", "pages", "chunks", "chunks_vocab", "chunks_instances", "chunks_fts",
    "common_terms", "common_postings",
)
#: How often a long-running server re-reads the common terms (another process may re-index).
TERM_STATS_TTL = 5.0
#: Stems whose chunk frequency is kept between searches (cleared past this size).
FREQUENCY_CACHE = 50_000


@dataclass(frozen=True, slots=True)
class IndexSummary:
    """What one indexing run did; ``pages``/``sections``/``words`` count the whole book."""

    source: str
    source_kind: str
    pages: int
    sections: int
    chunks: int
    words: int
    added: int
    updated: int
    removed: int
    unchanged: int
    seconds: float
    warnings: tuple[str, ...] = ()


def database_path(database_url: str) -> Path:
    """``sqlite:///relative.db`` or ``sqlite:////absolute.db`` → a file path."""
    try:
        parsed = parse_database_url(database_url)
    except ValueError as error:
        raise BookError("book_database_url_invalid", str(error)) from None
    if parsed.engine != "sqlite":
        raise BookError(
            "book_database_url_invalid",
            f"{parsed.display!r}: the book index is an SQLite file; use sqlite:///path/to/tutorgpt-book.db",
        )
    if parsed.target == ":memory:":
        raise BookError("book_database_url_invalid", "the book index needs a file, not :memory:")
    path = Path(parsed.target)
    if not path.parent.is_dir():
        raise BookError("book_database_url_invalid", f"folder {path.parent} does not exist")
    return path


class BookIndex:
    """Owns the book database (the store's SQLite engine): writes for indexing, reads for searches."""

    def __init__(self, path: Path, db: SQLiteDatabase, site_url: str | None) -> None:
        self.path = path
        self.site_url = site_url
        self.db = db
        self._write_lock = anyio.Lock()
        self._stemmer = Stemmer()
        self._common: dict[str, int] = {}
        #: Common stems with per-chunk counts in ``common_postings`` → their chunk frequency.
        self._postings: dict[str, int] = {}
        #: Common stems with their title and heading rows only (in half the chunks or more).
        self._heading_postings: frozenset[str] = frozenset()
        self._chunks = 0
        self._average_length = 1.0
        self._frequencies: dict[str, int] = {}
        self._common_loaded_at = -TERM_STATS_TTL

    @classmethod
    async def open(cls, database_url: str, *, site_url: str | None = None) -> BookIndex:
        """Open (creating if needed) the index at ``database_url``."""
        path = database_path(database_url)
        db = SQLiteDatabase(str(path), migrate=_migrate)
        try:
            await db.open()
        except DatabaseUnavailable as error:
            raise BookError("book_database_unusable", f"{path}: {error.__cause__ or error}") from None
        return cls(path, db, site_url)

    async def close(self) -> None:
        await self.db.close()
        self._stemmer.close()

    async def __aenter__(self) -> BookIndex:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # Reads ---------------------------------------------------------------------------------

    async def fetchall(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        """Run one read query on the reader connection (a consistent snapshot)."""
        return [tuple(row) for row in await self.db.fetchall(sql, params)]

    async def chapter_and_lesson_exist(
        self, chapter_id: str | None, lesson_id: str | None = None, shelves: Sequence[str] = ()
    ) -> tuple[bool, bool]:
        """Whether the index has the chapter, and the lesson (within that chapter when given),
        on the given shelves (any when empty).

        One query for both, since each read is a hop to the reader thread.
        """
        clauses, params = scope_filter(chapter_id, None, shelves)
        chapter_sql = f"EXISTS (SELECT 1 FROM pages WHERE {' AND '.join(clauses)})"
        clauses, params = scope_filter(chapter_id, lesson_id, shelves)
        lesson_sql = (
            f"EXISTS (SELECT 1 FROM pages WHERE {' AND '.join(clauses)})" if lesson_id is not None else "0"
        )
        rows = await self.fetchall(
            f"SELECT {chapter_sql}, {lesson_sql}", {"chapter_id": chapter_id, **params}
        )
        return bool(rows[0][0]), bool(rows[0][1])

    async def common_words(self, words: list[str]) -> set[str]:
        """The words that are common in the book (see :mod:`.terms`)."""
        await self._load_term_stats()
        return common_words(words, self._stemmer, self._common)

    def stems(self, words: Iterable[str]) -> dict[str, frozenset[str]]:
        """Each word's stems under the index's tokenizer."""
        return self._stemmer.stems(words)

    def tokens(self, texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Each text's tokens in order under the index's tokenizer."""
        return self._stemmer.tokens(texts)

    async def chunk_frequencies(self, stems: Collection[str]) -> tuple[int, dict[str, int]]:
        """The book's chunk count and how many chunks hold each stem (cached until re-indexed)."""
        await self._load_term_stats()
        missing = [stem for stem in stems if stem not in self._frequencies]
        if missing:
            marks = ", ".join("?" for _ in missing)
            rows = await self.fetchall(f"SELECT term, doc FROM chunks_vocab WHERE term IN ({marks})", missing)
            found = dict(rows)
            if len(self._frequencies) > FREQUENCY_CACHE:
                self._frequencies.clear()
            self._frequencies.update((stem, int(found.get(stem, 0))) for stem in missing)
        return self._chunks, {stem: self._frequencies.get(stem, 0) for stem in stems}

    async def ranking_stats(self) -> RankingStats:
        """What :mod:`.rank` needs besides the candidates (see :class:`.rank.RankingStats`)."""
        await self._load_term_stats()
        return RankingStats(self._chunks, self._average_length, self._common, self._postings, self._heading_postings)

    async def _load_term_stats(self) -> None:
        if time.monotonic() - self._common_loaded_at <= TERM_STATS_TTL:
            return
        rows = await self.fetchall(
            "SELECT term, chunks, postings FROM common_terms "
            "UNION ALL SELECT NULL, count(*), (SELECT block FROM chunks_fts_data WHERE id = 1) FROM chunks"
        )
        self._common = {term: chunks for term, chunks, _ in rows if term is not None}
        self._postings = {term: chunks for term, chunks, postings in rows if term is not None and postings == 1}
        self._heading_postings = frozenset(term for term, _, postings in rows if term is not None and postings == 2)
        self._chunks, averages = next((int(chunks), block) for term, chunks, block in rows if term is None)
        # FTS5's averages record: its row count, then each column's token total.
        totals = varints(averages) if averages else []
        self._average_length = sum(totals[1:]) / totals[0] if totals and totals[0] else 1.0
        self._frequencies = {}
        self._common_loaded_at = time.monotonic()

    async def page_count(self) -> int:
        rows = await self.fetchall("SELECT count(*) FROM pages")
        return int(rows[0][0])

    # Writes --------------------------------------------------------------------------------

    async def index_path(
        self,
        path: str | os.PathLike[str],
        *,
        progress: Callable[[int, int], None] | None = None,
        exclude: Sequence[str] = (),
    ) -> IndexSummary:
        """Index a ``book-index.json`` file or a Docusaurus docs folder (replacing the book);
        ``exclude`` globs skip docs of a folder (the site's ``exclude`` option)."""
        started = time.perf_counter()
        source = Path(path)
        book = await anyio.to_thread.run_sync(_read_book, source, _threadsafe(progress), tuple(exclude))
        async with self._write_lock, _host_lock(self.path):
            counts = await self._write(book, str(source.resolve()))
        self._common_loaded_at = -TERM_STATS_TTL  # re-read on the next search
        return IndexSummary(
            source=str(source),
            source_kind=book.source_kind,
            pages=len(book.pages),
            sections=sum(len(page.sections) for page in book.pages),
            words=sum(page.word_count for page in book.pages),
            seconds=round(time.perf_counter() - started, 3),
            warnings=book.warnings,
            **counts,
        )

    async def _write(self, book: Book, source: str) -> dict[str, int]:
        async def write(tx: Transaction) -> dict[str, int]:
            return await _write_book(tx, book, source)

        try:
            return await self.db.write(write)
        except sqlite3.OperationalError as error:  # another process held the write lock too long
            raise BookError(
                "book_database_busy", f"{self.path}: {error}; is another indexer running?"
            ) from None


@asynccontextmanager
async def _host_lock(path: Path) -> AsyncIterator[None]:
    """An exclusive lock file beside the index, for every process on this host.

    Workers starting together with ``TUTORGPT_BOOK`` set wait here rather than on SQLite's
    write lock (whose busy timeout a large book outlasts); the first builds the index and the
    others find it current.
    """
    with open(f"{path}.lock", "a+b") as handle:
        await anyio.to_thread.run_sync(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


async def _write_book(db: Transaction, book: Book, source: str) -> dict[str, int]:
    """Apply ``book`` to the index in the caller's transaction: changed pages only."""
    stored = await db.fetchall("SELECT page_key, fingerprint FROM pages")
    existing: dict[str, str] = {key: value for key, value in stored}
    wanted = {page_key(page) for page in book.pages}
    changed = [page for page in book.pages if existing.get(page_key(page)) != fingerprint(page)]
    removed = [key for key in existing if key not in wanted]
    stale = [(key,) for key in removed]
    stale += [(page_key(page),) for page in changed if page_key(page) in existing]
    await db.executemany(
        "DELETE FROM chunks_fts WHERE rowid IN (SELECT id FROM chunks WHERE page_key = ?)", stale
    )
    await db.executemany("DELETE FROM chunks WHERE page_key = ?", stale)
    await db.executemany("DELETE FROM pages WHERE page_key = ?", stale)
    generation = await _scalar(db, "SELECT coalesce(max(generation), 0) + 1 FROM pages")
    first_id = await _scalar(db, "SELECT coalesce(max(id), 0) + 1 FROM chunks")
    page_rows, chunk_rows, fts_rows = rows(changed, generation, first_id)
    await db.executemany(f"INSERT INTO pages VALUES ({', '.join('?' * 22)})", page_rows)
    await db.executemany(
        "INSERT INTO chunks (id, page_key, shelf, doc_id, ordinal, chapter_id, lesson_id, anchor, "
        f"heading_path, permalink, title) VALUES ({', '.join('?' * 11)})",
        chunk_rows,
    )
    await db.executemany("INSERT INTO chunks_fts (rowid, title, headings, body) VALUES (?, ?, ?, ?)", fts_rows)
    # Each new chunk's length in tokens, as FTS5 counted it (see :mod:`.rank`).
    sizes = await db.fetchall("SELECT id, sz FROM chunks_fts_docsize WHERE id >= ?", (first_id,))
    await db.executemany(
        "UPDATE chunks SET length = ? WHERE id = ?", [(sum(varints(size)), rowid) for rowid, size in sizes]
    )
    await write_chapters(db, book)
    meta = {
        "source": source,
        "source_kind": book.source_kind,
        "site_url": book.site_url or "",
        "base_url": book.base_url,
        "title": book.title or "",
        "indexed_at": str(time.time()),
    }
    await db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(meta.items()))
    total_chunks = await _scalar(db, "SELECT count(*) FROM chunks")
    if stale or changed:
        await _write_common_terms(db, common_threshold(total_chunks), total_chunks)
        # One segment per index: a search seeks each of its words' doclists in every segment
        # (the probes for the snippets took 1.4 ms for 15 rows over ~30 segments, 0.4 ms over one).
        await db.execute("INSERT INTO chunks_fts (chunks_fts) VALUES ('optimize')")
    added = sum(1 for page in changed if page_key(page) not in existing)
    return {
        "chunks": total_chunks,
        "added": added,
        "updated": len(changed) - added,
        "removed": len(removed),
        "unchanged": len(book.pages) - len(changed),
    }


async def _write_common_terms(db: Transaction, threshold: int, chunks: int) -> None:
    """The common stems and their count in each chunk's columns (see :mod:`.rank`), rebuilt
    whole: each posting list is walked once per change (about 1 s on an 18 000-chunk book),
    and the set of common stems moves with the book. Stems in half the chunks or more keep only
    their title and heading rows (``postings`` = 2): FTS5 gives them an IDF of 1e-6 over the
    whole row, so they cannot change an order (see :func:`.rank.split`), but in titles and
    headings they are rarer and pick candidates (:func:`.rank.heading_candidates`)."""
    await db.execute("DELETE FROM common_terms")
    await db.execute("DELETE FROM common_postings")
    await db.execute(
        "INSERT INTO common_terms SELECT term, doc, CASE WHEN 2 * doc < ? THEN 1 ELSE 2 END "
        "FROM chunks_vocab WHERE doc >= ?",
        (chunks, threshold),
    )
    # One stem at a time: fts5vocab then walks that stem's doclist only (an IN list measured
    # half as fast again).
    for postings, having in ((1, ""), (2, "HAVING sum(col != 'body') > 0")):
        await db.executemany(
            "INSERT INTO common_postings SELECT term, doc, sum(col = 'title'), sum(col = 'headings'), "
            "sum(col = 'body'), CASE WHEN sum(col != 'body') > 0 THEN (SELECT length FROM chunks WHERE id = doc) "
            f"ELSE 0 END FROM chunks_instances WHERE term = ? GROUP BY doc {having}",
            [tuple(row) for row in await db.fetchall("SELECT term FROM common_terms WHERE postings = ?", (postings,))],
        )


def scope_filter(
    chapter_id: str | None, lesson_id: str | None, shelves: Sequence[str] = ()
) -> tuple[list[str], dict[str, str]]:
    """SQL conditions for a chapter and/or lesson (a lesson id is only unique in its chapter),
    on some shelves (docs instance and version; all of them when empty).

    They name bare columns and named parameters, so they fit ``pages`` and ``chunks`` alike.
    """
    clauses: list[str] = []
    params: dict[str, str] = {}
    if shelves:
        names = [f"shelf_{n}" for n in range(len(shelves))]
        clauses.append(f"shelf IN ({', '.join(':' + name for name in names)})")
        params.update(zip(names, shelves, strict=True))
    if chapter_id is not None:
        clauses.append("chapter_id = :chapter_id")
        params["chapter_id"] = chapter_id
    if lesson_id is not None:
        clauses.append("lesson_id = :lesson_id")
        params["lesson_id"] = lesson_id
    return clauses, params


async def _scalar(db: Transaction, sql: str) -> int:
    row = await db.fetchone(sql)
    assert row is not None
    return int(row[0])


def _migrate(connection: sqlite3.Connection) -> None:
    """Create the tables; a different INDEX_FORMAT drops them (the index is derived data)."""
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if version == INDEX_FORMAT:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        if version != 0:
            for table in _TABLES:
                connection.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in split_statements(_SCHEMA):
            connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {INDEX_FORMAT}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def _read_book(
    source: Path, progress: Callable[[int, int], None] | None, exclude: tuple[str, ...] = ()
) -> Book:
    if source.is_dir():
        return read_docs_folder(source, progress=progress, exclude=exclude)
    if source.is_file():
        return read_export(source)
    raise BookError("book_path_not_found", f"{source} is neither a book-index.json file nor a docs folder")


def _threadsafe(progress: Callable[[int, int], None] | None) -> Callable[[int, int], None] | None:
    """Run the caller's callback on the event loop thread, not in the parsing worker."""
    if progress is None:
        return None

    def call(done: int, total: int) -> None:
        anyio.from_thread.run_sync(progress, done, total)

    return call
