-- ChatKit threads, their items (stored as the exact wire JSON) and reader feedback.
-- Every row carries the owning student so each query is scoped by it.

CREATE TABLE threads (
    id          TEXT PRIMARY KEY,
    student_id  TEXT NOT NULL REFERENCES students(id) ON DELETE CASCADE,
    title       TEXT,
    created_at  TEXT NOT NULL,   -- ISO-8601 UTC, fixed width: sorts chronologically
    updated_at  TEXT NOT NULL
);
CREATE INDEX threads_by_student ON threads (student_id, created_at, id);

CREATE TABLE items (
    id          TEXT PRIMARY KEY,
    thread_id   TEXT NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    student_id  TEXT NOT NULL,
    seq         INTEGER NOT NULL,  -- position in the thread; paging cursors use it
    type        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    json        TEXT NOT NULL      -- the item exactly as sent on the wire
);
CREATE UNIQUE INDEX items_by_thread ON items (thread_id, seq);

CREATE TABLE feedback (
    item_id     TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    student_id  TEXT NOT NULL,
    thread_id   TEXT NOT NULL,
    session_id  TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('positive', 'negative')),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (item_id, student_id)
);
CREATE INDEX feedback_by_thread ON feedback (thread_id);
