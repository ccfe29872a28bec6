-- Reconciliation (issue 4): the daily report reads payments by the day they started and by the
-- day their money moved; an administrator closes a flag with what they found or did.

CREATE INDEX payments_created ON payments (created_at);
CREATE INDEX payments_succeeded ON payments (succeeded_at);
CREATE INDEX payment_events_kind ON payment_events (event, at);

ALTER TABLE payment_flags ADD COLUMN resolved_by TEXT REFERENCES accounts (id);
ALTER TABLE payment_flags ADD COLUMN resolution TEXT;

-- Jobs that run once a day across all app servers: the first server to insert the day's row
-- runs it (the nightly comparison of yesterday's payments with the gateway).
CREATE TABLE daily_runs (
    job TEXT NOT NULL,
    day TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    PRIMARY KEY (job, day)
);
