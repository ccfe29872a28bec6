-- Issue 22, the waiting list: an applicant who finds no acceptable time waits for a centre and
-- a range of days; a place that frees up in that range is offered to the first person waiting
-- and held for them for a while, then passed to the next if they decline or do not answer.
INSERT INTO idcard_terms (name, value) VALUES
    -- How long an offered place is held for the applicant (minutes).
    ('waitlist_hold_minutes', 120),
    -- The night in Doha, minutes after midnight (21:00 to 07:00): an offer made then is held
    -- from the morning, so that nobody loses a place while asleep.
    ('waitlist_night_starts', 1260),
    ('waitlist_night_ends', 420);

-- Places held for the waiting list (queued to be offered, or offered and not yet answered).
-- A slot's capacity covers both: a booking takes a place only while booked + held < counters.
ALTER TABLE appointment_slots ADD COLUMN held BIGINT NOT NULL DEFAULT 0 CHECK (held >= 0);

CREATE TABLE appointment_waitlist (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES idcard_applications (id),
    centre_code TEXT NOT NULL REFERENCES service_centres (code),
    -- The days waited for, both included (YYYY-MM-DD, so they compare as text).
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- 'booked' (an offer accepted, or a time booked directly), 'left' by the applicant,
    -- 'expired' (its days have passed).
    ended_at BIGINT,
    ended_how TEXT CHECK (ended_how IN ('booked', 'left', 'expired')),
    CHECK (first_day <= last_day)
);
-- One place in the queue per application.
CREATE UNIQUE INDEX appointment_waitlist_live
    ON appointment_waitlist (application_id) WHERE ended_at IS NULL;
CREATE INDEX appointment_waitlist_waiting
    ON appointment_waitlist (centre_code, created_at) WHERE ended_at IS NULL;

-- A freed place held for the waiting list, to be offered: written in the transaction that
-- frees it (a cancellation, a move, an offer declined or lapsed, or the job finding a place
-- that a new counter or longer hours opened). The job claims each row once
-- (`handled_at IS NULL` in the UPDATE's condition), so every app server may run it.
CREATE TABLE waitlist_places (
    id TEXT PRIMARY KEY,
    centre_code TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    queued_at BIGINT NOT NULL,
    handled_at BIGINT,
    FOREIGN KEY (centre_code, starts_at) REFERENCES appointment_slots (centre_code, starts_at)
);
CREATE INDEX waitlist_places_queued ON waitlist_places (queued_at) WHERE handled_at IS NULL;

CREATE TABLE waitlist_offers (
    id TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL REFERENCES appointment_waitlist (id),
    -- Each queued place is offered at most once: the database says so too.
    place_id TEXT NOT NULL UNIQUE REFERENCES waitlist_places (id),
    centre_code TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    offered_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at BIGINT,
    -- 'withdrawn': the applicant booked another time or left the list meanwhile.
    ended_how TEXT CHECK (ended_how IN ('accepted', 'declined', 'expired', 'withdrawn'))
);
-- At most one open offer per person waiting.
CREATE UNIQUE INDEX waitlist_offers_open ON waitlist_offers (entry_id) WHERE ended_at IS NULL;
CREATE INDEX waitlist_offers_lapsing ON waitlist_offers (expires_at) WHERE ended_at IS NULL;
