-- OpenID Connect sign-in (issue 12). Portable SQL: TEXT and INTEGER only, no engine functions.

-- A sign-in in progress, from GET /auth/login until its callback. Looked up by the hash of its
-- `state`; `browser_hash` is the hash of a cookie set on the browser that started it, so a
-- callback URL carried to another browser is refused. Used once, then deleted.
CREATE TABLE login_attempts (
    state_hash    TEXT PRIMARY KEY,
    browser_hash  TEXT NOT NULL,
    provider      TEXT NOT NULL,
    return_origin TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX login_attempts_expiry ON login_attempts (expires_at);

-- A verified sign-in waiting for POST /session: the provider's issuer and subject, with the
-- email and name it vouched for. Only the code's SHA-256 is kept; it lives 60 seconds and is
-- deleted when used.
CREATE TABLE login_codes (
    code_hash  TEXT PRIMARY KEY,
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    email      TEXT,
    name       TEXT,
    expires_at TEXT NOT NULL
);
CREATE INDEX login_codes_expiry ON login_codes (expires_at);
