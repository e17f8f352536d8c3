-- Accounts, hardened.
-- token_version: raised when a member's role changes (or they are signed out everywhere);
-- access tokens carry it and stop working once it moves on.
-- totp_last_step: the newest TOTP time step a code was accepted for; a code of that step
-- or an earlier one is refused (no replay).
ALTER TABLE users ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

-- Facts about the installation that must never be undone by deleting rows elsewhere.
-- `first_account`: the installation's first sign-up happened (and was made its operator);
-- no later sign-up is, even when every operator has been removed.
CREATE TABLE installation_flags (
    name    TEXT PRIMARY KEY,
    set_at  BIGINT NOT NULL
);
INSERT INTO installation_flags (name, set_at)
    SELECT 'first_account', 0 WHERE EXISTS (SELECT 1 FROM users);
