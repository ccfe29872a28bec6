-- Vignettes (issue 5): one per vehicle and campaign year, written by the payment's
-- fulfilment in the transaction that records the successful payment.
--
-- Two unique indexes make "one vignette per vehicle per campaign" a fact of the database, not
-- of the pages: per vehicle row, and per plate (a vehicle sold and added again by its new
-- owner is a new row with the same plate, and still has its vignette). The public check by
-- plate relies on the second.

CREATE TABLE vignettes (
    id TEXT PRIMARY KEY,
    -- What is printed in large type and read out to the help desk: 'YYYY-XXXX-XXXX'
    -- (campaign year and 8 Crockford base-32 characters).
    number TEXT NOT NULL UNIQUE,
    -- The vehicle row keeps the vignette: a vehicle with one can be archived, never deleted.
    vehicle_id TEXT NOT NULL REFERENCES vehicles (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    campaign_year BIGINT NOT NULL,
    -- The vehicle as it was when the vignette was issued (the row may change later).
    plate TEXT NOT NULL,
    vin TEXT NOT NULL,
    category BIGINT NOT NULL,
    -- Last day of validity, YYYY-MM-DD.
    valid_until TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL CHECK (currency IN ('DZD')),
    order_id TEXT NOT NULL UNIQUE REFERENCES orders (id),
    payment_reference TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    -- A lost vignette is re-issued free: same number, marked as a duplicate with this time.
    duplicate_issued_at BIGINT
);

CREATE UNIQUE INDEX vignettes_vehicle_year ON vignettes (vehicle_id, campaign_year);
CREATE UNIQUE INDEX vignettes_plate_year ON vignettes (plate, campaign_year);
CREATE INDEX vignettes_account ON vignettes (account_id, issued_at);
