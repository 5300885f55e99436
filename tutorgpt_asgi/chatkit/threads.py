"""Thread, item and feedback persistence on the main database.

Items are stored as the exact JSON sent on the wire, so reading a thread back is a straight read
with no re-encoding. Every query is scoped by the owning student: a thread of another student is
indistinguishable from a missing one, and both cost the same single indexed lookup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

import msgspec

from tutorgpt_asgi.chatkit.types import FeedbackKind, Order, ThreadItem
from tutorgpt_asgi.clock import stored, utc_now
from tutorgpt_asgi.store.database import Database, Reader, Transaction
from tutorgpt_asgi.store.database import Row as DbRow

_item_encoder = msgspec.json.Encoder()
Row = TypeVar("Row")


class ThreadRecord(msgspec.Struct, frozen=True, gc=False):
    """A thread row; the wire ``Thread`` is built from it by the server."""

    id: str
    title: str | None
    created_at: str


class StoredItem(msgspec.Struct, frozen=True, gc=False):
    """An item row: its position in the thread and its wire JSON (text, as stored).

    A struct built from the row by position: a page of 20 items built as dataclasses from
    rows read by column name took 46 µs, as structs 7 µs (``get_by_id``'s largest cost
    after the query itself).
    """

    id: str
    seq: int
    json: str


@dataclass(frozen=True, slots=True)
class ListPage(Generic[Row]):
    """One page of a listing, with whether another page follows."""

    rows: list[Row]
    has_more: bool


class CursorNotFound(LookupError):
    """An ``after`` cursor names no element of the listing (a stale or foreign id)."""


async def _append_item(tx: Transaction, student_id: str, item: ThreadItem) -> None:
    # Touch the thread first: on PostgreSQL the UPDATE locks its row, so two items appended
    # to one thread at once take turns for the next position instead of colliding on it.
    await tx.execute("UPDATE threads SET updated_at = ? WHERE id = ?", (stored(utc_now()), item.thread_id))
    row = await tx.fetchone("SELECT COALESCE(MAX(seq), 0) + 1 FROM items WHERE thread_id = ?", (item.thread_id,))
    assert row is not None
    await tx.execute(
        "INSERT INTO items (id, thread_id, student_id, seq, type, created_at, json)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            item.id,
            item.thread_id,
            student_id,
            row[0],
            item.__struct_config__.tag,
            item.created_at,
            _item_encoder.encode(item).decode(),
        ),
    )


_THREAD = "SELECT id, title, created_at FROM threads"
_ITEM = "SELECT id, seq, json FROM items"


def _record(row: DbRow) -> ThreadRecord:
    return ThreadRecord(row[0], row[1], row[2])


def _item(row: DbRow) -> StoredItem:
    return StoredItem(row[0], row[1], row[2])


async def _load_thread(reader: Reader, student_id: str, thread_id: str) -> ThreadRecord | None:
    row = await reader.fetchone(f"{_THREAD} WHERE id = ? AND student_id = ?", (thread_id, student_id))
    return None if row is None else _record(row)


async def _list_items(
    reader: Reader, thread_id: str, limit: int, order: Order, after: str | None
) -> ListPage[StoredItem]:
    direction, compare = ("DESC", "<") if order == "desc" else ("ASC", ">")
    where, params = "thread_id = ?", [thread_id]
    if after is not None:
        anchor = await reader.fetchone("SELECT seq FROM items WHERE id = ? AND thread_id = ?", (after, thread_id))
        if anchor is None:
            raise CursorNotFound(after)
        where += f" AND seq {compare} ?"
        params.append(anchor[0])
    rows = await reader.fetchall(
        f"{_ITEM} WHERE {where} ORDER BY seq {direction} LIMIT ?", (*params, limit + 1)
    )
    return ListPage([_item(row) for row in rows[:limit]], len(rows) > limit)


class ThreadStore:
    """Reads and writes one student's threads; every method takes the owner's student id."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create_thread(self, student_id: str, thread: ThreadRecord, first: ThreadItem) -> None:
        """Create ``thread`` with its first user message in one transaction."""

        async def insert(tx: Transaction) -> None:
            await tx.execute(
                "INSERT INTO threads (id, student_id, title, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (thread.id, student_id, thread.title, thread.created_at, thread.created_at),
            )
            await _append_item(tx, student_id, first)

        await self.db.write(insert)

    async def load_thread(self, student_id: str, thread_id: str) -> ThreadRecord | None:
        """The thread if it exists and belongs to the student."""
        return await self.db.read(partial(_load_thread, student_id=student_id, thread_id=thread_id))

    async def thread_items(
        self, student_id: str, thread_id: str, *, limit: int, order: Order, after: str | None
    ) -> tuple[ThreadRecord, ListPage[StoredItem]] | None:
        """The student's thread and a page of its items, in one read (one hop on SQLite);
        ``None`` if the thread is not the student's. Raises :class:`CursorNotFound`."""

        async def read(reader: Reader) -> tuple[ThreadRecord, ListPage[StoredItem]] | None:
            thread = await _load_thread(reader, student_id, thread_id)
            if thread is None:
                return None
            return thread, await _list_items(reader, thread.id, limit, order, after)

        return await self.db.read(read)

    async def set_title(self, student_id: str, thread_id: str, title: str | None) -> bool:
        """Rename a thread; ``False`` if it is not the student's."""

        async def update(tx: Transaction) -> bool:
            changed = await tx.execute(
                "UPDATE threads SET title = ?, updated_at = ? WHERE id = ? AND student_id = ?",
                (title, stored(utc_now()), thread_id, student_id),
            )
            return changed == 1

        return await self.db.write(update)

    async def delete_thread(self, student_id: str, thread_id: str) -> None:
        """Delete the student's thread with its items and feedback; no-op for any other id."""

        async def delete(tx: Transaction) -> None:
            deleted = await tx.execute(
                "DELETE FROM threads WHERE id = ? AND student_id = ?", (thread_id, student_id)
            )
            if deleted == 1:
                await tx.execute("DELETE FROM feedback WHERE thread_id = ?", (thread_id,))
                await tx.execute("DELETE FROM items WHERE thread_id = ?", (thread_id,))

        await self.db.write(delete)

    async def list_threads(
        self, student_id: str, *, limit: int, order: Order, after: str | None
    ) -> ListPage[ThreadRecord]:
        """A page of the student's threads by creation time; ``after`` is a thread id."""
        direction, compare = ("DESC", "<") if order == "desc" else ("ASC", ">")

        async def read(reader: Reader) -> ListPage[ThreadRecord]:
            where, params = "student_id = ?", [student_id]
            if after is not None:
                anchor = await _load_thread(reader, student_id, after)
                if anchor is None:
                    raise CursorNotFound(after)
                where += f" AND (created_at, id) {compare} (?, ?)"
                params += [anchor.created_at, anchor.id]
            rows = await reader.fetchall(
                f"{_THREAD} WHERE {where} ORDER BY created_at {direction}, id {direction} LIMIT ?",
                (*params, limit + 1),
            )
            return ListPage([_record(row) for row in rows[:limit]], len(rows) > limit)

        return await self.db.read(read)

    async def latest_items(self, thread_id: str, limit: int) -> list[StoredItem]:
        """The thread's newest ``limit`` items, oldest first (reloading and model history)."""
        rows = await self.db.fetchall(
            f"{_ITEM} WHERE thread_id = ? ORDER BY seq DESC LIMIT ?", (thread_id, limit)
        )
        return [_item(row) for row in reversed(rows)]

    async def load_item(self, thread_id: str, item_id: str) -> StoredItem | None:
        """One item of a thread (whose ownership the caller has checked)."""
        row = await self.db.fetchone(f"{_ITEM} WHERE id = ? AND thread_id = ?", (item_id, thread_id))
        return None if row is None else _item(row)

    async def add_item(
        self,
        student_id: str,
        item: ThreadItem,
        also: Callable[[Transaction], Awaitable[None]] | None = None,
    ) -> None:
        """Append an item at the end of its thread; ``also`` writes in the same transaction
        (the turn record rides along with the answer instead of costing its own write)."""

        async def insert(tx: Transaction) -> None:
            await _append_item(tx, student_id, item)
            if also is not None:
                await also(tx)

        await self.db.write(insert)

    async def delete_items_after(self, thread_id: str, seq: int) -> None:
        """Drop every item after position ``seq`` (retrying an answer replaces them)."""

        async def delete(tx: Transaction) -> None:
            await tx.execute(
                "DELETE FROM items WHERE thread_id = ? AND seq > ?", (thread_id, seq)
            )

        await self.db.write(delete)

    async def save_feedback(
        self,
        *,
        student_id: str,
        session_id: str,
        thread_id: str,
        item_ids: Sequence[str],
        kind: FeedbackKind,
    ) -> bool:
        """Record (or change) the student's verdict on items; ``False`` if any item is unknown."""
        unique_ids = list(dict.fromkeys(item_ids))

        async def upsert(tx: Transaction) -> bool:
            marks = ",".join("?" * len(unique_ids))
            row = await tx.fetchone(
                f"SELECT COUNT(*) FROM items WHERE thread_id = ? AND id IN ({marks})",
                (thread_id, *unique_ids),
            )
            if row is None or row[0] != len(unique_ids):
                return False
            now = stored(utc_now())
            await tx.executemany(
                "INSERT INTO feedback (item_id, student_id, thread_id, session_id, kind, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (item_id, student_id) DO UPDATE SET"
                " kind = excluded.kind, session_id = excluded.session_id,"
                " created_at = excluded.created_at",
                [(item_id, student_id, thread_id, session_id, kind, now) for item_id in unique_ids],
            )
            return True

        return await self.db.write(upsert)
