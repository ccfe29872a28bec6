-- Issue 21: the resident ID card application (PRODUCT.md, service 2).

-- What the service promises, as data: the start page, the form and the timeline state these,
-- and an administrator changes them without a release.
CREATE TABLE idcard_terms (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

INSERT INTO idcard_terms (name, value) VALUES
    -- The start page's "about N minutes to apply", documents at hand.
    ('minutes_to_apply', 15),
    -- A passport must stay valid this many months after the day the application is made.
    ('passport_valid_months', 6),
    -- The card is made within this many working days of the appointment (step 7).
    ('production_working_days', 5),
    -- A card sent by post arrives within this many working days of being posted.
    ('postal_delivery_working_days', 2),
    -- The earliest appointment is this many working days after the application is paid.
    ('appointment_lead_working_days', 1);

CREATE TABLE idcard_applications (
    -- Random UUID (v4): addresses carry it, so it must not be guessable.
    id TEXT PRIMARY KEY,
    -- What the applicant and the officer read: ID- and 10 Crockford base-32 characters.
    reference TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    request_type TEXT NOT NULL CHECK (request_type IN ('new', 'lost', 'damaged')),
    -- domain::idcard::application::State::code.
    state TEXT NOT NULL,
    -- The answers as submitted (JSON), frozen; NULL while a draft (the account's draft of
    -- journey idcard-application holds them then).
    answers TEXT,
    -- 1 at the first submission, +1 at each resubmission after a return for correction.
    version BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- Set when the application completes, is withdrawn or refused.
    closed_at BIGINT
);

-- One open application per resident, kept by the database whatever two requests do at once.
CREATE UNIQUE INDEX idcard_applications_one_open
    ON idcard_applications (account_id) WHERE closed_at IS NULL;

-- The timeline: every event with the state it led to and when.
CREATE TABLE idcard_application_events (
    application_id TEXT NOT NULL REFERENCES idcard_applications (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    -- 'created', or domain::idcard::application::Event::code.
    event TEXT NOT NULL,
    state TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (application_id, seq)
);
