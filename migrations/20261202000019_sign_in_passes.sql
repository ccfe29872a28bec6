-- Issue 18, finding 4: anyone who knows an account's e-mail address or identity number can
-- lock it with wrong passwords. The lock stays (it stops guessing), but when it begins the
-- holder is e-mailed a one-time link; opening it gives that browser a pass whose sign-ins count
-- on a lockout of their own. Only the SHA-256 of the link's random token is stored.
CREATE TABLE sign_in_passes (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE INDEX sign_in_passes_account ON sign_in_passes (account_id);
