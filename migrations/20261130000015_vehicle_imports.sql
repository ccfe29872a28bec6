-- Vehicle imports from a CSV file (issue 5): the report of each import (rows added, rows
-- refused and why), kept so that the report page can be reloaded without importing again.
CREATE TABLE vehicle_imports (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    file_name TEXT NOT NULL,
    added BIGINT NOT NULL,
    refused BIGINT NOT NULL,
    -- JSON: [{"line": 2, "plate": "…", "problems": [["plate", "plate_format"], …]}, …]
    report TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX vehicle_imports_account ON vehicle_imports (account_id, created_at);
