-- The outbox's and the sandbox's claims read pending rows and lapsed leases apart, each by its
-- own partial index in the order the claim takes them (issue 23). With one index on (status,
-- time) and an OR of the two, PostgreSQL read them by a bitmap scan: it visits every index
-- entry a row's earlier versions left (each change of status leaves one) until VACUUM runs,
-- and, unlike a plain index scan, never marks them dead. In a run of `payments_bench` an
-- outbox claim read 284 blocks; on a large outbox it would read up to autovacuum's threshold
-- (a fifth of the table) of dead entries at every claim.
DROP INDEX outbox_due;
CREATE INDEX outbox_pending ON outbox (next_attempt_at, created_at) WHERE status = 'pending';
CREATE INDEX outbox_leases ON outbox (claimed_until) WHERE status = 'sending';

DROP INDEX sandbox_notifications_due;
CREATE INDEX sandbox_notifications_pending ON sandbox_notifications (deliver_after, seq)
    WHERE status = 'pending';
CREATE INDEX sandbox_notifications_leases ON sandbox_notifications (claimed_until)
    WHERE status = 'sending';

-- Looked up by account (how many codes were sent lately, the language of the last message):
-- with no index these read the whole outbox, which keeps every message's row.
CREATE INDEX outbox_account ON outbox (account_id, created_at);
