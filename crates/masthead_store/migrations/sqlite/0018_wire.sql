-- The wire desk (issue 12): the feeds a newsroom takes stories from, and what each of
-- their items became. Times are Unix microseconds, flags 0/1, as everywhere else.
--
-- `wire_sources.lease_until` is the claim: a worker takes a due source with one conditional
-- UPDATE (`lease_until IS NULL OR lease_until < now`), so exactly one app server pulls it;
-- `next_due_at` is when it is next due (the interval, or a backoff after failures).
-- `wire_items` has one row per (source, identity): the unique key is what makes pulling the
-- same feed twice create no duplicate. `ingested_version` is the story's version the wire
-- last wrote; a higher version means someone saved it since.
CREATE TABLE wire_sources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    url TEXT NOT NULL UNIQUE,
    rules_json TEXT NOT NULL DEFAULT '{}',
    mode TEXT NOT NULL DEFAULT 'review',
    interval_secs BIGINT NOT NULL DEFAULT 900,
    enabled INTEGER NOT NULL DEFAULT 1,
    disabled_reason TEXT NOT NULL DEFAULT '',
    etag TEXT,
    last_modified TEXT,
    next_due_at BIGINT NOT NULL,
    lease_until BIGINT,
    failures BIGINT NOT NULL DEFAULT 0,
    last_fetch_at BIGINT,
    last_success_at BIGINT,
    last_status BIGINT,
    last_error TEXT NOT NULL DEFAULT '',
    items_seen BIGINT NOT NULL DEFAULT 0,
    items_created BIGINT NOT NULL DEFAULT 0,
    items_updated BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX wire_sources_due ON wire_sources (enabled, next_due_at);
CREATE TABLE wire_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id BIGINT NOT NULL REFERENCES wire_sources (id) ON DELETE CASCADE,
    identity TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    article_id BIGINT REFERENCES articles (id) ON DELETE SET NULL,
    state TEXT NOT NULL,
    ingested_version BIGINT NOT NULL DEFAULT 0,
    needs_alt INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    item_json TEXT NOT NULL,
    expires_at BIGINT,
    first_seen_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (source_id, identity)
);
CREATE INDEX wire_items_inbox ON wire_items (state, updated_at, id);
CREATE INDEX wire_items_expiry ON wire_items (expires_at);
CREATE INDEX wire_items_article ON wire_items (article_id);
