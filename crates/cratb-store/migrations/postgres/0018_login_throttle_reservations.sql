-- Issue 14 (OWASP ASVS 5.0 V6.3.1, V16): login attempts reserved before the password is
-- checked, counters an account can be cleared of, and repeated failures written as one entry.

-- The account (its e-mail) an account-wide or device counter belongs to, so that a password
-- reset or a second factor can clear every counter of the account at once.
ALTER TABLE login_throttle ADD COLUMN account TEXT;
CREATE INDEX login_throttle_account ON login_throttle(account);

-- How many events an entry stands for: 1, or the count of a summarising entry.
ALTER TABLE audit_log ADD COLUMN occurrences BIGINT NOT NULL DEFAULT 1;

-- Repeated failures of one source (an address) being counted: the first of a window is
-- written in full, the later ones only counted here until one summarising entry is written.
CREATE TABLE audit_bursts (
    action TEXT NOT NULL,
    source TEXT NOT NULL,
    region_code TEXT NOT NULL,          -- '' for none
    opened_at TIMESTAMPTZ NOT NULL,     -- the written entry that opened the window
    label_one TEXT NOT NULL,            -- what is counted, as the summary names one
    label_many TEXT NOT NULL,           -- and several
    counted BIGINT NOT NULL,            -- events since then, not yet written
    first_at TIMESTAMPTZ,
    last_at TIMESTAMPTZ,
    last_summary TEXT,
    PRIMARY KEY (action, source, region_code)
);
