-- The editorial desk: staff accounts and their sessions, API tokens and reset links,
-- article owners, versions and revisions, the audit log and site settings.
-- Times are Unix microseconds in UTC; flags are 0/1 integers.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Stored lowercased, so one address is one account.
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    -- Base32 TOTP secret once two-factor login is set up, and the last time step used
    -- (a code is accepted once).
    totp_secret TEXT,
    totp_last_step BIGINT,
    -- The byline profile this account writes under, if any.
    author_id INTEGER REFERENCES authors (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    -- SHA-256 of the cookie's value: a copy of the table does not log anyone in.
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    -- 'password' while a two-factor code is awaited, then 'full'.
    stage TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    -- The widest role the token acts with; never wider than its owner's role at use.
    scope TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES users (id),
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

-- Who started each story (the owner in the permission rules) and its version for
-- optimistic concurrency: a save names the version it started from.
ALTER TABLE articles ADD COLUMN owner_id INTEGER REFERENCES users (id);
ALTER TABLE articles ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
-- The desk's lists, newest save first: everything or the published ones by
-- modified_at; one person's work by owner; and the queues (drafts, review, scheduled,
-- unpublished) by an expression public queries never use, so it cannot steer them.
CREATE INDEX articles_owner ON articles (owner_id, modified_at DESC, id DESC);
CREATE INDEX articles_modified ON articles (modified_at DESC, id DESC);
CREATE INDEX articles_desk ON articles ((NULLIF(status, 'published')), modified_at DESC, id DESC);

CREATE TABLE revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    saved_by INTEGER REFERENCES users (id),
    saved_at BIGINT NOT NULL,
    -- The editable fields as JSON (see revisions.rs).
    snapshot TEXT NOT NULL,
    UNIQUE (article_id, version)
);

ALTER TABLE media ADD COLUMN uploaded_by INTEGER REFERENCES users (id);
-- Widths of the resized copies, as a JSON array of integers.
ALTER TABLE media ADD COLUMN variants TEXT NOT NULL DEFAULT '[]';

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    -- Who acted, as shown at the time (the account may be renamed later).
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);

CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The moderation queue: comments of one status, newest first, across all stories.
CREATE INDEX comments_status ON comments (status, created_at DESC, id DESC);

-- Login, two-factor and reset attempts per client address and per account, counted in
-- fixed windows, shared by every app server.
CREATE TABLE login_attempts (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    attempts BIGINT NOT NULL
);
