-- Foundation: territories, establishments, accounts, sessions, API tokens, throttling, audit log.
-- Kept in step with migrations/postgres/0001_foundation.sql (same tables, columns and meaning).

CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    overseas BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE departments (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code)
);

CREATE TABLE territories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('GHT', 'CPTS')),
    name TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    UNIQUE (kind, region_code, name)
);

CREATE TABLE territory_departments (
    territory_id INTEGER NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
    department_code TEXT NOT NULL REFERENCES departments(code),
    PRIMARY KEY (territory_id, department_code)
);

CREATE TABLE establishments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    finess TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    sector TEXT NOT NULL CHECK (sector IN ('ES', 'EMS', 'VILLE')),
    category TEXT NOT NULL,
    department_code TEXT NOT NULL REFERENCES departments(code),
    region_code TEXT NOT NULL REFERENCES regions(code),
    ght_id INTEGER REFERENCES territories(id),
    beds INTEGER CHECK (beds IS NULL OR beds >= 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX establishments_region ON establishments(region_code, name);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    region_code TEXT REFERENCES regions(code),
    establishment_id INTEGER REFERENCES establishments(id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX users_region ON users(region_code);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    can_write BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TEXT NOT NULL,
    blocked_until TEXT NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_id INTEGER,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    region_code TEXT,
    summary TEXT NOT NULL,
    ip TEXT,
    request_id TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_region ON audit_log(region_code, at);

-- The audit log is append-only: no row is ever changed or removed.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
