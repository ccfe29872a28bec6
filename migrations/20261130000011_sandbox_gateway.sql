-- The sandbox payment gateway's own tables (issue 4). It is a simulated payment company: the
-- portal never reads or writes these; it talks to the sandbox only through its HTTP API and
-- receives its signed notifications. Prefixed `sandbox_` so nothing else mistakes them for ours.

CREATE TABLE sandbox_payments (
    -- 'sbx_' and 24 hex digits: the gateway's reference.
    id TEXT PRIMARY KEY,
    -- The merchant's id for it: opening it again returns this row.
    merchant_ref TEXT NOT NULL UNIQUE,
    reference TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    description TEXT NOT NULL,
    language TEXT NOT NULL,
    return_url TEXT NOT NULL,
    notify_url TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- open → awaiting_code → succeeded | failed; open/awaiting_code → cancelled | expired.
    status TEXT NOT NULL CHECK (status IN ('open', 'awaiting_code', 'succeeded', 'failed',
        'cancelled', 'expired')),
    failure TEXT,
    method TEXT,
    brand TEXT,
    masked TEXT,
    -- What the documented test number asks for (see docs/SANDBOX.md).
    scenario TEXT,
    code_tries BIGINT NOT NULL DEFAULT 0,
    refunded_minor BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE sandbox_refunds (
    payment_id TEXT NOT NULL REFERENCES sandbox_payments (id),
    refund_id TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (payment_id, refund_id)
);

-- Notifications to the merchant, delivered by the sandbox's own worker with retries.
CREATE TABLE sandbox_notifications (
    id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES sandbox_payments (id),
    seq BIGINT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    deliver_after BIGINT NOT NULL,
    claimed_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL
);

CREATE INDEX sandbox_notifications_due ON sandbox_notifications (status, deliver_after);
