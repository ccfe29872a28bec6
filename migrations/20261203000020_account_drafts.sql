-- Issue 21: saved answers are never discarded (UX.md). A signed-in person's answers belong to
-- the account: they survive sign-out, session expiry and a password reset, and appear on the
-- person's other devices. A session keeps only what must not leave the browser (the steps of a
-- sign-in, codes just sent) and an anonymous visitor's answers, which move here at sign-in.
CREATE TABLE account_drafts (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    journey TEXT NOT NULL,
    -- JSON, as in drafts.answers.
    answers TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, journey)
);

-- 1 for a visitor's answers to a journey (they follow the person to the account at sign-in),
-- 0 for the session's own state.
ALTER TABLE drafts ADD COLUMN follows_account BIGINT NOT NULL DEFAULT 0;
