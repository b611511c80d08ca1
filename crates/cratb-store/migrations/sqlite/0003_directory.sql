-- The network directory: professionals of the region.
CREATE TABLE professionals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    region_code TEXT NOT NULL REFERENCES regions(code),
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    profession TEXT NOT NULL,
    rpps TEXT UNIQUE,
    email TEXT,
    phone TEXT,
    -- Consent for public listing, per field.
    public_name BOOLEAN NOT NULL DEFAULT FALSE,
    public_email BOOLEAN NOT NULL DEFAULT FALSE,
    public_phone BOOLEAN NOT NULL DEFAULT FALSE,
    confirmed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX professionals_region ON professionals(region_code, last_name, first_name);
