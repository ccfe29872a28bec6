-- Issue 21: the documents of an ID card application, and the rules that judge them (data).

-- The upload limits and the quality pre-check's thresholds (domain::idcard::documents).
CREATE TABLE idcard_document_rules (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

INSERT INTO idcard_document_rules (name, value) VALUES
    -- One file, as sent: larger is refused while it arrives, never read whole.
    ('max_file_bytes', 10485760),
    -- An image with more pixels than this is refused before it is decoded (a "decompression
    -- bomb" is a small file that claims to be enormous). 50 megapixels: twice a phone's camera.
    ('max_image_pixels', 50000000),
    ('document_min_short_side', 1000),
    -- A passport photo is 35 x 45 mm: at least 600 x 771 pixels (about 440 dpi), height over
    -- width 1.286, give or take 0.08.
    ('photo_min_width', 600),
    ('photo_min_height', 771),
    ('photo_aspect_milli', 1286),
    ('photo_aspect_tolerance_milli', 80),
    -- Mean luminance (0-255) of a readable scan or photo.
    ('min_mean_luminance', 60),
    ('max_mean_luminance', 225),
    -- Variance of the Laplacian below which an image is too blurred to read.
    ('min_sharpness', 100),
    ('max_pdf_pages', 10);

CREATE TABLE idcard_documents (
    -- Random UUID (v4).
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES idcard_applications (id) ON DELETE CASCADE,
    -- domain::idcard::documents::DocumentKind::code.
    kind TEXT NOT NULL,
    -- Where the file is in the file store (local directory or S3 bucket): random, never
    -- derived from the name the applicant's phone gave it, never under the web root.
    storage_key TEXT NOT NULL UNIQUE,
    -- What the content is (sniffed), as a MIME type.
    file_type TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    width BIGINT,
    height BIGINT,
    pages BIGINT,
    -- The pre-check's findings, QualityProblem codes separated by commas; '' when it passed.
    problems TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);

CREATE INDEX idcard_documents_application ON idcard_documents (application_id, kind);
