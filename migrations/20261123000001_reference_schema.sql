-- Reference data the services read: tariffs, exemptions, campaigns, wilayas, ID card fees,
-- service centres, public holidays. Loaded by the next migration from migrations/reference/*.csv.
--
-- Portable SQL (SQLite and PostgreSQL run the same file): every integer is BIGINT so that both
-- backends decode it as i64; booleans are BIGINT 0/1 too (sqlx's Any driver cannot decode a
-- SQLite BOOLEAN); money is BIGINT minor units with its currency; times are the published local
-- times as text.

CREATE TABLE wilayas (
    code TEXT PRIMARY KEY,
    name_ar TEXT NOT NULL,
    name_fr TEXT NOT NULL,
    -- 59-69 were announced in November 2025 with unofficial numbering: off unless a setting allows them.
    in_force BIGINT NOT NULL CHECK (in_force IN (0, 1))
);

CREATE TABLE vignette_campaigns (
    year BIGINT PRIMARY KEY,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    extended_from TEXT,
    late_surcharge_pct BIGINT NOT NULL CHECK (late_surcharge_pct >= 0),
    enforcement_surcharge_pct BIGINT NOT NULL CHECK (enforcement_surcharge_pct >= 0),
    new_vehicle_days BIGINT NOT NULL CHECK (new_vehicle_days >= 0)
);

CREATE TABLE vignette_tariffs (
    id BIGINT PRIMARY KEY,
    family TEXT NOT NULL CHECK (family IN ('tourism', 'utility', 'passenger')),
    basis TEXT NOT NULL CHECK (basis IN ('cv', 'ptc_t', 'seats')),
    -- Band bounds in thousandths of the basis unit (2.5 t = 2500), inclusive; NULL max = no bound.
    band_min_milli BIGINT NOT NULL,
    band_max_milli BIGINT,
    -- Half-open age band: age_from <= age < age_to; NULL = no upper bound.
    age_from BIGINT NOT NULL,
    age_to BIGINT,
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency TEXT NOT NULL CHECK (currency = 'DZD'),
    valid_from_year BIGINT NOT NULL,
    valid_to_year BIGINT
);

CREATE TABLE vignette_exemptions (
    id BIGINT PRIMARY KEY,
    criterion TEXT NOT NULL CHECK (criterion IN ('fuel', 'status', 'plate_category')),
    value TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('exempt', 'not_subject')),
    valid_from_year BIGINT NOT NULL,
    valid_to_year BIGINT,
    reason_en TEXT NOT NULL
);

CREATE TABLE idcard_fees (
    item TEXT PRIMARY KEY,
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency TEXT NOT NULL CHECK (currency = 'QAR')
);

CREATE TABLE service_centres (
    code TEXT PRIMARY KEY,
    name_ar TEXT NOT NULL,
    name_en TEXT NOT NULL,
    municipality TEXT NOT NULL,
    opens TEXT NOT NULL,
    closes TEXT NOT NULL,
    counters BIGINT NOT NULL CHECK (counters > 0)
);

CREATE TABLE public_holidays (
    country TEXT NOT NULL,
    -- MM-DD for a fixed-date holiday every year, YYYY-MM-DD for a lunar one entered per year.
    date_or_monthday TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_ar TEXT NOT NULL,
    lunar BIGINT NOT NULL CHECK (lunar IN (0, 1)),
    PRIMARY KEY (country, date_or_monthday)
);
