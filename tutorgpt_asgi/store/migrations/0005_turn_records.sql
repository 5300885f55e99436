-- One row per answered question ("turn"), for the author's report (tutorgpt report, GET /admin).
-- No secrets, no emails and no message text: the question's text stays in its thread's items
-- and is read from there only when the report is asked to show it. Erasing a student or
-- deleting a thread removes its rows; TUTORGPT_ANALYTICS_RETENTION_DAYS purges old ones.
CREATE TABLE turn_records (
    item_id          TEXT PRIMARY KEY,  -- the user message the turn answers (a retry replaces it)
    thread_id        TEXT NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    student_id       TEXT NOT NULL REFERENCES students(id) ON DELETE CASCADE,
    answer_item_id   TEXT,              -- the assistant message (its feedback is the thumbs)
    chapter_id       TEXT,
    lesson_id        TEXT,
    page_path        TEXT,
    searched_scope   TEXT,              -- current_lesson | current_chapter | entire_book | NULL
    cited            INTEGER NOT NULL DEFAULT 0,
    not_in_book      INTEGER NOT NULL DEFAULT 0,
    follow_up        INTEGER NOT NULL DEFAULT 0,  -- 1 when the thread already had a question
    anchor           TEXT,              -- the quoted or highlighted passage: URL or path#anchor
    first_delta_ms   INTEGER,           -- from the start of the answer stream to its first text
    prompt_tokens    INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    model            TEXT,              -- NULL: the offline tutor
    created_at       TEXT NOT NULL      -- fixed-width ISO 8601 UTC: sorts as text
);
CREATE INDEX turn_records_by_time ON turn_records (created_at, item_id);
CREATE INDEX turn_records_by_thread ON turn_records (thread_id);
CREATE INDEX turn_records_by_student ON turn_records (student_id);
