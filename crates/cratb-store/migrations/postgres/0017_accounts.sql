-- Accounts people can run (issue 14): an account's establishments and EMA teams, a password
-- set by someone else to be changed at the first sign-in, single-use reset links, API tokens
-- that expire. Kept in step with migrations/sqlite/0017_accounts.sql.

CREATE TABLE user_establishments (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    establishment_id BIGINT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, establishment_id)
);
CREATE INDEX user_establishments_establishment ON user_establishments(establishment_id);

CREATE TABLE user_teams (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    team_id BIGINT NOT NULL REFERENCES ema_teams(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, team_id)
);

-- `users.establishment_id` (one establishment) is superseded by `user_establishments`: its
-- values move there and it stays empty.
INSERT INTO user_establishments (user_id, establishment_id)
    SELECT id, establishment_id FROM users WHERE establishment_id IS NOT NULL;
UPDATE users SET establishment_id = NULL;

ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

-- A link by which an account holder sets a new password: 24 hours, single use; only the
-- SHA-256 of its secret is kept.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX password_resets_user ON password_resets(user_id);

-- Tokens created before expiry existed have none recorded: they expire a year after their
-- creation (checked by the store).
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;
