-- Full-text search (issue 9). `article_search` holds each story's searchable text as plain
-- text (the headline, the summary, and the body with a roundup's items or a meeting's
-- decisions, rendered from Markdown without markup), written by StoryWrite in the same
-- transaction as the story. The index over it is the one part that differs by backend:
-- here a generated `tsvector` column, weighted (headline A, summary B, body D), under a
-- GIN index, in a configuration that is PostgreSQL's `english` (stemming, stopwords) with
-- accents folded first (the `unaccent` extension, shipped with PostgreSQL and trusted, so
-- the database's owner may create it). Which stories a reader may find is decided when
-- searching, from `articles`, so a status change needs no reindexing.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION masthead_english (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION masthead_english
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;

CREATE TABLE article_search (
    article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('masthead_english', title), 'A')
        || setweight(to_tsvector('masthead_english', summary), 'B')
        || setweight(to_tsvector('masthead_english', body), 'D')
    ) STORED
);
CREATE INDEX article_search_document ON article_search USING gin (document);

-- Stories written before this migration are indexed by the server after it starts
-- (masthead_desk::index_backlog renders their Markdown, which SQL cannot), newest first,
-- a batch per transaction: `next_id` is the highest id not yet indexed. The row is removed
-- when none is left; an empty database never gets one.
CREATE TABLE search_backlog (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    next_id BIGINT NOT NULL
);
INSERT INTO search_backlog (id, next_id) SELECT 1, max(id) FROM articles HAVING count(*) > 0;
