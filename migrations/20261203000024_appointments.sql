-- Issue 22: appointments at the service centres.

-- The booking rules (domain::idcard::slots::Rules).
INSERT INTO idcard_terms (name, value) VALUES
    -- A slot lasts this many minutes and holds as many appointments as the centre has counters.
    ('slot_minutes', 15),
    -- A centre can be booked this many working days ahead.
    ('booking_window_working_days', 14),
    -- Rescheduling or cancelling closes this many hours before the appointment.
    ('appointment_change_cutoff_hours', 24);

-- The municipality's Arabic name, for Arabic pages and slips (the reference file has the
-- English one only).
ALTER TABLE service_centres ADD COLUMN municipality_ar TEXT NOT NULL DEFAULT '';
UPDATE service_centres SET municipality_ar = 'الدوحة' WHERE municipality = 'Doha';
UPDATE service_centres SET municipality_ar = 'الريان' WHERE municipality = 'Al Rayyan';
UPDATE service_centres SET municipality_ar = 'الوكرة' WHERE municipality = 'Al Wakrah';
UPDATE service_centres SET municipality_ar = 'الخور والذخيرة' WHERE municipality = 'Al Khor and Al Thakhira';
UPDATE service_centres SET municipality_ar = 'أم صلال' WHERE municipality = 'Umm Salal';
UPDATE service_centres SET municipality_ar = 'الضعاين' WHERE municipality = 'Al Daayen';
UPDATE service_centres SET municipality_ar = 'الشمال' WHERE municipality = 'Al Shamal';
UPDATE service_centres SET municipality_ar = 'الشحانية' WHERE municipality = 'Al Shahaniya';

-- Days a centre is closed besides the public holidays (works, an inventory day). Slots are
-- computed, never stored: a row here removes that day's slots at once.
CREATE TABLE centre_closures (
    centre_code TEXT NOT NULL REFERENCES service_centres (code),
    day TEXT NOT NULL,
    reason_en TEXT NOT NULL,
    reason_ar TEXT NOT NULL,
    PRIMARY KEY (centre_code, day)
);

-- How many appointments each slot holds, one row per slot that has ever been booked. The
-- capacity is guaranteed here: a booking raises `booked` by one in a single UPDATE whose
-- condition is `booked < counters`, which both databases apply atomically to the row (one
-- writer at a time on SQLite; on PostgreSQL the second writer waits for the row and
-- re-checks the condition on the committed value). No check-then-insert in the application.
CREATE TABLE appointment_slots (
    centre_code TEXT NOT NULL REFERENCES service_centres (code),
    -- Unix seconds (the slot's start in Doha, UTC+3).
    starts_at BIGINT NOT NULL,
    booked BIGINT NOT NULL DEFAULT 0 CHECK (booked >= 0),
    PRIMARY KEY (centre_code, starts_at)
);

CREATE TABLE idcard_appointments (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES idcard_applications (id),
    centre_code TEXT NOT NULL REFERENCES service_centres (code),
    starts_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    -- Set when the place is given back: 'cancelled' by the applicant, 'rescheduled' (a new
    -- appointment replaced it).
    ended_at BIGINT,
    ended_how TEXT CHECK (ended_how IN ('cancelled', 'rescheduled')),
    FOREIGN KEY (centre_code, starts_at) REFERENCES appointment_slots (centre_code, starts_at)
);

-- One live appointment per application, whatever two requests do at once.
CREATE UNIQUE INDEX idcard_appointments_live
    ON idcard_appointments (application_id) WHERE ended_at IS NULL;
CREATE INDEX idcard_appointments_slot ON idcard_appointments (centre_code, starts_at);
