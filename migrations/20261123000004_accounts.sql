-- Accounts (issue 3). One account per identity number and one per e-mail address: enforced by
-- unique indexes here, not only by the code that checks first.

CREATE TABLE accounts (
    -- Random UUID (v4), never shown as a sequence.
    id TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    identity_kind TEXT NOT NULL CHECK (identity_kind IN ('nin', 'qid', 'other')),
    -- Normalised by domain::identity (digits only, or upper-case letters and digits).
    identity_number TEXT NOT NULL,
    -- ISO 8601 date.
    date_of_birth TEXT NOT NULL,
    -- ISO 3166-1 numeric code.
    nationality BIGINT NOT NULL,
    -- Lower-cased by domain::contact, and checked here: uniqueness is case-insensitive.
    email TEXT NOT NULL CHECK (email = lower(email)),
    -- E.164.
    mobile TEXT NOT NULL,
    -- argon2id PHC string.
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('citizen', 'officer', 'administrator')),
    -- Unix seconds; NULL until the e-mail address is verified.
    email_verified_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE UNIQUE INDEX accounts_identity ON accounts (identity_kind, identity_number);
CREATE UNIQUE INDEX accounts_email ON accounts (email);
