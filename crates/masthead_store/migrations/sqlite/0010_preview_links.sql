-- Shared preview links of stories not yet on the site: anyone holding one may read the
-- story's latest saved version until it expires or is revoked (the row deleted). Only the
-- SHA-256 of the link's secret is kept, as for API tokens and reset links.
CREATE TABLE preview_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX preview_links_article ON preview_links (article_id, expires_at);
