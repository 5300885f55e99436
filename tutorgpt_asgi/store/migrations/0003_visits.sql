-- Reading progress: one row per student and page, counted on every recorded visit.
CREATE TABLE visits (
    student_id TEXT NOT NULL REFERENCES students(id) ON DELETE CASCADE,
    page_key TEXT NOT NULL,
    page_path TEXT,
    page_title TEXT,
    chapter_id TEXT,
    lesson_id TEXT,
    visits INTEGER NOT NULL DEFAULT 1,
    first_visit_at TEXT NOT NULL,
    last_visit_at TEXT NOT NULL,
    PRIMARY KEY (student_id, page_key)
);
