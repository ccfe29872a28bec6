-- Signing keys for the vignette's seal (issue 5; platform::signing). One active key at a time:
-- `active` is 1 for it and NULL for retired keys, and unique (NULLs never collide), so two app
-- servers making the first key at the same moment cannot both succeed. Retired keys are kept
-- and published: what they signed still verifies.

CREATE TABLE signing_keys (
    -- The first 50 bits of the public key in Crockford base 32 (what a seal names).
    key_id TEXT PRIMARY KEY,
    -- 32 bytes, hex.
    public_key TEXT NOT NULL,
    -- The 32-byte private key sealed under the server's secret (ChaCha20-Poly1305), hex.
    private_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT,
    active BIGINT UNIQUE CHECK (active = 1)
);

-- The seal's text (domain::seal), signed when the vignette is issued: the PDF, the page and
-- the e-mail all carry this same text in their QR code. NULL only for vignettes issued before
-- seals existed.
ALTER TABLE vignettes ADD COLUMN seal TEXT;
