-- Multi-factor authentication (issue 14, OWASP ASVS 5.0 V6): an account's TOTP secret
-- (sealed with the installation's key, `settings.mfa_secret_key`), confirmed once a first code
-- is accepted, with the last step used (a code is good once); its single-use recovery codes,
-- stored hashed; the short-lived pending state between the password and the code at login
-- (its id hashed, never a session); and the regions whose coordinator requires a second factor
-- of every account.
CREATE TABLE user_mfa (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    sealed_secret TEXT NOT NULL,
    confirmed_at TIMESTAMPTZ,
    last_step BIGINT,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE mfa_recovery_codes (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE mfa_pending_logins (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    failures INTEGER NOT NULL DEFAULT 0,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX mfa_pending_logins_user ON mfa_pending_logins(user_id);

CREATE TABLE region_mfa_policy (
    region_code TEXT PRIMARY KEY REFERENCES regions(code),
    required_for_all BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL
);
