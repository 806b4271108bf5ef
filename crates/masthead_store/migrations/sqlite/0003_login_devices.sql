-- Browsers that completed a login to an account. Logging in again to that account from such
-- a browser is counted in its own bucket, not the address's or the account's, so an attacker
-- flooding the account cannot keep its owner out (see the web crate's admin/throttle.rs).
CREATE TABLE login_devices (
    -- SHA-256 of the device cookie's value.
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX login_devices_user ON login_devices (user_id);
