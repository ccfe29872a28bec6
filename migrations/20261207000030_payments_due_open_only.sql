-- The poller's index holds open payments only (issue 23). With `state` as its first column it
-- also matched a payment's move (`WHERE id = $1 AND state = $2`), and PostgreSQL, planning that
-- prepared statement while the table was small, kept a plan that read every payment in the
-- state and filtered by id instead of reading the one row by its key. A payment leaves this
-- index when it is decided, so finished payments (nearly all of them) no longer fill it.
DROP INDEX payments_due;
CREATE INDEX payments_due ON payments (check_after) WHERE state IN ('created', 'pending');
