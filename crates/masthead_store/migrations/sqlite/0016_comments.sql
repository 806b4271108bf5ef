-- Reader comments (issue 11): one level of replies, an optional website, the client address
-- (for bans and limits; never shown), a hash of the text for duplicate detection and the
-- nonce of the signed form that posted it (unique: a form is posted once). Per-article
-- open/closed. Bans by email or address. `comment_changes` is the log of articles whose
-- shown comments (or count) changed: app servers read it to turn over only the pages that
-- show them, instead of the whole cache (see site.rs and docs/ARCHITECTURE.md).
ALTER TABLE comments ADD COLUMN parent_id BIGINT REFERENCES comments (id) ON DELETE CASCADE;
ALTER TABLE comments ADD COLUMN website TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN body_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN form_nonce TEXT;
CREATE UNIQUE INDEX comments_nonce ON comments (form_nonce);
CREATE INDEX comments_queue ON comments (status, created_at);
CREATE INDEX comments_email ON comments (author_email, status);
CREATE INDEX comments_parent ON comments (parent_id);
ALTER TABLE articles ADD COLUMN comments_open INTEGER NOT NULL DEFAULT 1;
CREATE TABLE comment_bans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, value)
);
CREATE TABLE comment_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id BIGINT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX comments_hash ON comments (body_hash);
