-- Vehicles (issue 5): what an owner declares, as domain::vehicle checked it.
--
-- A plate is active in one account at most, across all accounts: a partial unique index (both
-- backends have them), so two owners racing for one plate cannot both win. Archiving frees
-- the plate and keeps the row, because vignettes point at it.

CREATE TABLE vehicles (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    -- Normalised by domain::vehicle::Plate: 'SERIAL CYY WW'.
    plate TEXT NOT NULL,
    -- Upper-case, no spaces; vin_non_standard = 1 for an older vehicle's pre-1981 number.
    vin TEXT NOT NULL,
    vin_non_standard BIGINT NOT NULL CHECK (vin_non_standard IN (0, 1)),
    category BIGINT NOT NULL CHECK (category BETWEEN 1 AND 9),
    fuel TEXT NOT NULL,
    first_year BIGINT NOT NULL,
    -- YYYY-MM-DD when the owner gave the day (the new-vehicle delay counts from it).
    first_registered_on TEXT,
    -- Only the fact the category's tariff is measured on is set.
    fiscal_hp BIGINT CHECK (fiscal_hp > 0),
    gross_weight_kg BIGINT CHECK (gross_weight_kg > 0),
    seats BIGINT CHECK (seats > 0),
    status TEXT,
    archived_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE UNIQUE INDEX vehicles_active_plate ON vehicles (plate) WHERE archived_at IS NULL;
CREATE INDEX vehicles_account ON vehicles (account_id, created_at);

-- A plate another account holds: refused when added (kind 'refused'), or reported by the
-- person who says the vehicle is now theirs ('reported'). Administrators see and close them.
CREATE TABLE plate_conflicts (
    id TEXT PRIMARY KEY,
    plate TEXT NOT NULL,
    claimed_by TEXT NOT NULL REFERENCES accounts (id),
    held_by TEXT NOT NULL REFERENCES accounts (id),
    kind TEXT NOT NULL CHECK (kind IN ('refused', 'reported')),
    note TEXT,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT,
    resolved_by TEXT REFERENCES accounts (id),
    resolution TEXT
);

CREATE INDEX plate_conflicts_open ON plate_conflicts (resolved_at, created_at);
