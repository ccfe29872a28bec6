-- Sessions and journey drafts. App servers keep no state of their own: everything a user's
-- next request needs is here, so any app server can answer it.

CREATE TABLE sessions (
    -- SHA-256 (hex) of the random token in the session cookie: a copy of this table gives
    -- nobody a usable cookie.
    id_hash TEXT PRIMARY KEY,
    -- Unix seconds.
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- The answers of one journey so far, saved after every page: a draft survives a lost
-- connection, a closed browser and a crashed server. Later kept with the account too.
CREATE TABLE drafts (
    session_id_hash TEXT NOT NULL REFERENCES sessions (id_hash) ON DELETE CASCADE,
    journey TEXT NOT NULL,
    -- JSON object: field name -> value as typed (normalised).
    answers TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (session_id_hash, journey)
);
