-- How an account wants non-essential messages (reminders, receipts' copies): by e-mail, by
-- SMS or both. Security messages always go by e-mail whatever this says.
ALTER TABLE accounts ADD COLUMN notify_by TEXT NOT NULL DEFAULT 'email'
    CHECK (notify_by IN ('email', 'sms', 'both'));
