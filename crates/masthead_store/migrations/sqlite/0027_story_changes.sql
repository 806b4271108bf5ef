-- Which stories each story write changed, with the content version that write produced
-- (issue 17): app servers read it when the version moves on, and when every step of the
-- move is a story write they turn over only the pages that show those stories (the story's
-- own page and the lists), keeping every other story's page in the cache (see
-- story_changes.rs and docs/ARCHITECTURE.md, "Caching and freshness").
CREATE TABLE story_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    version BIGINT NOT NULL,
    article_id BIGINT NOT NULL
);
CREATE INDEX story_changes_version ON story_changes (version);
