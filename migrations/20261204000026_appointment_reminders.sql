-- Issue 22, reminders: each appointment is reminded once, the day before, by e-mail or SMS as
-- the account chooses, early enough to change or cancel it before the cut-off.
INSERT INTO idcard_terms (name, value) VALUES
    -- Hours before the appointment the reminder goes (more than the change cut-off, so its
    -- reschedule and cancel links still work when it arrives).
    ('appointment_reminder_hours', 30);

-- Set in the transaction that queues the reminder, by an UPDATE that only a row without it
-- passes: every app server may run the job, each appointment is reminded once.
ALTER TABLE idcard_appointments ADD COLUMN reminded_at BIGINT;
-- The applicant said they will come (the reminder's link, or an SMS reply of 1).
ALTER TABLE idcard_appointments ADD COLUMN confirmed_at BIGINT;
CREATE INDEX idcard_appointments_to_remind ON idcard_appointments (starts_at)
    WHERE ended_at IS NULL AND reminded_at IS NULL;

-- Inbound SMS (replies to reminders) already seen, by the nonce the provider signs with each:
-- a replayed request is refused. Kept a day (longer than the signature's freshness window).
CREATE TABLE sms_inbound_nonces (
    nonce TEXT PRIMARY KEY,
    received_at BIGINT NOT NULL
);
