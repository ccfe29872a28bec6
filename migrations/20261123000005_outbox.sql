-- Notifications to deliver (issue 3). A row is written in the same transaction as the event
-- that causes it (an account created, a payment taken), so a message is never promised without
-- the event, nor the event left without its message. Workers in every app server deliver them.

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    -- The account it concerns, if any (kept when the account is deleted: delivery history).
    account_id TEXT,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    -- An e-mail address or an E.164 mobile number.
    recipient TEXT NOT NULL,
    template TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('ar', 'fr', 'en')),
    -- JSON object of the template's parameters.
    params TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts BIGINT NOT NULL,
    -- Unix seconds: when a pending message may next be tried.
    next_attempt_at BIGINT NOT NULL,
    -- While 'sending': which worker holds it, and until when (a crashed worker's message is
    -- taken again once this has passed).
    claimed_by TEXT,
    claimed_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);

CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
