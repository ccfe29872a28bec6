-- Two lookups of the purchase path that read a whole table, or all of an account's orders, as
-- they grew (issue 23: `EXPLAIN QUERY PLAN`, and their time per call rising through a run of
-- `payments_bench vignette`):
-- - the sandbox gateway numbers a payment's notifications (`MAX(seq)` for one payment);
-- - "Pay" continues the account's unpaid order for the same vignette (a fleet's account has
--   one order per vehicle and year). With `created_at` last the index also gives the order
--   the lookup wants, so SQLite's planner takes it over `orders_account`.
CREATE INDEX sandbox_notifications_payment ON sandbox_notifications (payment_id, seq);
CREATE INDEX orders_subject ON orders (account_id, kind, subject, created_at);
