-- Issue 21: submitting and paying an ID card application.

-- Set when the answers are frozen: the language the applicant submitted in (every
-- notification about the application is written in it), and the fee the application owes,
-- worked out from idcard_fees at that moment (request's card fee, plus delivery by post).
ALTER TABLE idcard_applications ADD COLUMN submitted_at BIGINT;
ALTER TABLE idcard_applications ADD COLUMN language TEXT;
ALTER TABLE idcard_applications ADD COLUMN fee_minor BIGINT;
ALTER TABLE idcard_applications ADD COLUMN fee_currency TEXT;
-- The payments engine's order for paying online (one per application, made the first time
-- the applicant chooses to pay online), and when the fee was paid, online or at the centre.
ALTER TABLE idcard_applications ADD COLUMN order_id TEXT REFERENCES orders (id);
ALTER TABLE idcard_applications ADD COLUMN paid_at BIGINT;

CREATE UNIQUE INDEX idcard_applications_order ON idcard_applications (order_id);
