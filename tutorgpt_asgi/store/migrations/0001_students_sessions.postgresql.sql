-- Students are found by normalised email; anonymous students have no email.
CREATE TABLE students (
    id TEXT PRIMARY KEY,
    email TEXT UNIQUE,
    name TEXT,
    learning_level TEXT NOT NULL DEFAULT 'beginner',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Only the SHA-256 of a session's client secret is stored, never the secret.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    student_id TEXT NOT NULL REFERENCES students(id) ON DELETE CASCADE,
    secret_hash BYTEA NOT NULL UNIQUE,
    page_path TEXT,
    page_title TEXT,
    current_chapter TEXT,
    current_lesson TEXT,
    highlighted_text TEXT,
    context_json TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    last_active_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    max_expires_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE INDEX sessions_student ON sessions(student_id, created_at);
