-- Payments (issue 4): orders, the payments that pay them, every transition, and what needs a
-- human. The unique indexes are the real guards: one payment per "Pay" submission, at most one
-- live payment per order; the engine's compare-and-set UPDATEs make fulfilment happen once.

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    -- Which service fulfils it ('vignette', 'idcard', 'demo') and that service's own key.
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    -- JSON {"ar": …, "fr": …, "en": …}: what is being paid for, as the receipt says it.
    description TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL CHECK (currency IN ('DZD', 'QAR')),
    -- Set once, in the transaction that records the successful payment.
    fulfilled_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE INDEX orders_account ON orders (account_id, created_at);

CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    -- Shown on receipts and quoted to the help desk: 'PAY-' and 10 Crockford base-32 characters.
    reference TEXT NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    -- From the "Pay" form: a double click or a browser retry carries the same key.
    idempotency_key TEXT NOT NULL,
    gateway TEXT NOT NULL,
    -- The payer's language: the gateway's page and the receipt speak it.
    language TEXT NOT NULL CHECK (language IN ('ar', 'fr', 'en')),
    -- The gateway's own id for it, and the page it sent the user to.
    gateway_ref TEXT,
    redirect_url TEXT,
    -- Learned from the gateway once paid: never a full card number or a CVV.
    method TEXT CHECK (method IN ('card', 'wallet', 'account')),
    brand TEXT,
    masked TEXT,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL CHECK (currency IN ('DZD', 'QAR')),
    state TEXT NOT NULL CHECK (state IN ('created', 'pending', 'succeeded', 'failed', 'cancelled',
        'expired', 'partially_refunded', 'refunded')),
    refunded_minor BIGINT NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
    -- Why it failed, as the gateway said ('declined', 'insufficient_funds', 'too_many_codes').
    failure TEXT,
    expires_at BIGINT NOT NULL,
    -- When the poller should next ask the gateway (a notification is overdue by then).
    check_after BIGINT NOT NULL,
    succeeded_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE UNIQUE INDEX payments_reference ON payments (reference);
CREATE UNIQUE INDEX payments_idempotency ON payments (account_id, idempotency_key);
CREATE UNIQUE INDEX payments_one_live_per_order ON payments (order_id)
    WHERE state IN ('created', 'pending');
CREATE UNIQUE INDEX payments_gateway_ref ON payments (gateway, gateway_ref);
CREATE INDEX payments_due ON payments (state, check_after);
CREATE INDEX payments_order ON payments (order_id, created_at);

-- Every transition: who (a user, the gateway, the poller, an administrator), when, and why.
CREATE TABLE payment_events (
    id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES payments (id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    event TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    gateway_ref TEXT,
    amount_minor BIGINT,
    reason TEXT,
    -- A refund's request id: the same request never refunds twice.
    refund_id TEXT
);

CREATE INDEX payment_events_payment ON payment_events (payment_id, at);
CREATE UNIQUE INDEX payment_events_refund ON payment_events (payment_id, refund_id);

-- What a human must look at: the gateway's view and ours disagree (an amount that differs,
-- money taken for a payment we had already expired, a refused signal).
CREATE TABLE payment_flags (
    id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES payments (id),
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    at BIGINT NOT NULL,
    resolved_at BIGINT
);

CREATE INDEX payment_flags_open ON payment_flags (resolved_at, at);

-- Gateway notifications already applied, by the id the gateway gave each: a replay is refused.
CREATE TABLE gateway_notifications (
    gateway TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (gateway, notification_id)
);
