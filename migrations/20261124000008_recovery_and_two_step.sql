-- Issue 3, continued: forgotten passwords and the second sign-in step.
-- (A migration that has landed is never edited: servers already ran it and sqlx checks its sum.)

-- Forgotten passwords: a link by e-mail, dying on use and after 30 minutes. One live link per
-- account (asking again replaces it); only the SHA-256 of its random token is stored.
CREATE TABLE password_resets (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

-- The second sign-in step of an account: an authenticator app (TOTP, RFC 6238) or a code by
-- SMS to the account's mobile. One per account; a row with `confirmed_at` NULL is a set-up
-- not finished yet and does not count.
CREATE TABLE second_factors (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('totp', 'sms')),
    -- TOTP only: the shared key, sealed (ChaCha20-Poly1305 under a key derived from the
    -- server's secret key), so a copy of the database does not give it away.
    secret_sealed TEXT,
    -- The last TOTP time step accepted: a code is good once, even within its 30 seconds.
    last_step BIGINT NOT NULL DEFAULT 0,
    confirmed_at BIGINT,
    created_at BIGINT NOT NULL
);

-- One-time recovery codes (ten, made when the second step is turned on): HMAC-SHA256 under
-- the server's secret key; each works once.
CREATE TABLE recovery_codes (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

-- Codes sent by SMS (signing in, or setting up the SMS step): one live code per account,
-- HMAC-SHA256 under the server's secret key, 10 minutes, 5 wrong tries.
CREATE TABLE sms_codes (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    wrong_tries BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
