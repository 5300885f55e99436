-- Identity a student can trust (issue 11): a claimed email is only a profile hint, and only a
-- proof selects a student: a verified (issuer, subject) pair or a student key.

-- students.email loses its UNIQUE constraint (many students may claim one email), which in
-- SQLite means rebuilding the table; the runner turns foreign keys off around a migration.
CREATE TABLE students_new (
    id TEXT PRIMARY KEY,
    email TEXT,                -- claimed or verified email: a profile hint, never a key
    name TEXT,
    learning_level TEXT NOT NULL DEFAULT 'beginner',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO students_new (id, email, name, learning_level, created_at, updated_at)
    SELECT id, email, name, learning_level, created_at, updated_at FROM students;
DROP TABLE students;
ALTER TABLE students_new RENAME TO students;

-- Verified identities: the host callback (issuer 'host'), a signed token (its `iss`), later an
-- OpenID Connect provider (its issuer). One pair names one student; a student may have several.
CREATE TABLE student_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    student_id TEXT NOT NULL REFERENCES students(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX student_identities_by_student ON student_identities (student_id);

-- Student keys (books without login): only the SHA-256 of a key is stored.
CREATE TABLE student_keys (
    key_hash BLOB PRIMARY KEY,
    student_id TEXT NOT NULL REFERENCES students(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
CREATE INDEX student_keys_by_student ON student_keys (student_id);

-- Students created before this migration were selected by their email. They keep that only
-- under TUTORGPT_TRUST_CLAIMED_EMAIL=true, where a claimed email is an identity of this issuer.
INSERT INTO student_identities (issuer, subject, student_id, created_at, last_seen_at)
    SELECT 'claimed-email', email, id, created_at, updated_at FROM students WHERE email IS NOT NULL;

-- Whether the host callback said the session's person is an administrator (issue 19).
ALTER TABLE sessions ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;
