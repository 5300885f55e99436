-- Data lifecycle (sessions/lifecycle.py). A session past its refresh grace loses its secret
-- hash (replaced by a tombstone no SHA-256 digest can equal) and gets purged_at; its metadata
-- stays for GET /sessions until purged_at is older than TUTORGPT_SESSION_HISTORY_DAYS.
-- Each partial index holds a session in one phase only, so creating one costs one index entry.
ALTER TABLE sessions ADD COLUMN purged_at TEXT;
CREATE INDEX sessions_to_purge ON sessions (expires_at) WHERE purged_at IS NULL;
CREATE INDEX sessions_purged ON sessions (purged_at) WHERE purged_at IS NOT NULL;
