-- Signed-in sessions, e-mail verification, throttles and the account's activity (issue 3).

-- A session belongs to an account once its holder signs in. The id is rotated at that moment
-- (a new row, the old one deleted), so a token planted before sign-in is worth nothing after it.
ALTER TABLE sessions ADD COLUMN account_id TEXT REFERENCES accounts (id) ON DELETE CASCADE;
-- Unix seconds. A signed-in session dies 12 h after sign-in whatever happens (expires_at then
-- slides by 30 minutes of idleness, never past this).
ALTER TABLE sessions ADD COLUMN absolute_expires_at BIGINT;
ALTER TABLE sessions ADD COLUMN signed_in_at BIGINT;
-- Shown on the activity page ("Chrome on Android"), never used to decide anything.
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
CREATE INDEX sessions_account ON sessions (account_id);

-- The one live confirmation of an address per account: a 6-digit code and a link, both dying
-- on use, after 30 minutes, or when a new code is sent. Only keyed hashes are stored.
CREATE TABLE email_verifications (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    -- The address this confirms (a changed address is confirmed before it replaces the old one).
    email TEXT NOT NULL,
    -- HMAC-SHA256 under the server's secret key: a copy of the table does not give the code.
    code_hash TEXT NOT NULL,
    -- SHA-256 of the link's random token.
    link_hash TEXT NOT NULL UNIQUE,
    wrong_tries BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

-- Counters for rate limits and lockouts, shared by every app server: `key` names what is
-- counted ("sign-in-ip:203.0.113.9", "sign-in:account:…").
CREATE TABLE throttles (
    key TEXT PRIMARY KEY,
    count BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL,
    locked_until BIGINT
);

-- What happened to an account, for its holder's activity page.
CREATE TABLE account_events (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- 'signed_in', 'signed_out_everywhere', 'email_verified', 'sign_in_failed', 'account_created'
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    user_agent TEXT,
    ip TEXT
);
CREATE INDEX account_events_account ON account_events (account_id, at);
