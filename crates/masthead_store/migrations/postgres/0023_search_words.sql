-- Search (issue 9), PostgreSQL: the GIN index moves to a narrow copy of each story's words,
-- for a search whose words are together in few stories.
--
-- `article_search` keeps each story's weighted `tsvector` in its own row (0017), about one
-- row a page: walking the newest stories and ranking them reads no TOAST, but each match
-- the GIN index named there was a page of its own to visit (about 2–5 µs: "water park",
-- 3,899 stories at 100k, 18 ms). Here a story is a row of about 60 bytes: its `tsvector`,
-- which the index's matches need only for a query with word order (a word the parser
-- splits, "48,000"), is moved to TOAST (`toast_tuple_target` at its minimum), and beside
-- it are the columns a search filters on, copied from `articles` by the triggers below in
-- the writing transaction. The matches are then checked and filtered some 130 to a page
-- (well under a microsecond each). Walking this table by id would read each story's
-- words from TOAST, so a search whose words are in many stories still walks
-- `article_search`, which needs no GIN index of its own any more (`src/search.rs` chooses
-- between the two).
CREATE TABLE article_search_words (
    article_id BIGINT PRIMARY KEY REFERENCES article_search (article_id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    published_at BIGINT,
    section_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    words tsvector NOT NULL
) WITH (toast_tuple_target = 128);

-- The words follow the search entry (written by the story's save, once a statement like
-- the word pairs of 0020), with the story's filter columns as they are then.
CREATE FUNCTION masthead_search_words_write_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO article_search_words (article_id, status, published_at, section_id, kind, words)
    SELECT w.article_id, a.status, a.published_at, a.section_id, a.kind, w.document
    FROM written w JOIN articles a ON a.id = w.article_id
    ON CONFLICT (article_id) DO UPDATE SET status = excluded.status,
        published_at = excluded.published_at, section_id = excluded.section_id,
        kind = excluded.kind, words = excluded.words;
    RETURN NULL;
END
$$;
CREATE TRIGGER article_search_words_inserted AFTER INSERT ON article_search
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION masthead_search_words_write_rows();
CREATE TRIGGER article_search_words_updated AFTER UPDATE ON article_search
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION masthead_search_words_write_rows();

-- The filter columns follow the story, whatever statement changes it (a save, a scheduled
-- story coming due, a take-down): publishing or unpublishing changes search results at once.
CREATE FUNCTION masthead_search_words_follow_articles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE article_search_words s SET status = n.status, published_at = n.published_at,
        section_id = n.section_id, kind = n.kind
    FROM changed n
    WHERE s.article_id = n.id
    AND (s.status, s.published_at, s.section_id, s.kind)
        IS DISTINCT FROM (n.status, n.published_at, n.section_id, n.kind);
    RETURN NULL;
END
$$;
CREATE TRIGGER article_search_words_follow AFTER UPDATE ON articles
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION masthead_search_words_follow_articles();

-- The stories already indexed, in id order, then the index, built whole (faster than
-- growing it row by row, 24 s): about 10 s at 100k stories.
INSERT INTO article_search_words (article_id, status, published_at, section_id, kind, words)
SELECT x.article_id, a.status, a.published_at, a.section_id, a.kind, x.document
FROM article_search x JOIN articles a ON a.id = x.article_id ORDER BY x.article_id;
CREATE INDEX article_search_words_gin ON article_search_words USING gin (words);
DROP INDEX article_search_document;
ANALYZE article_search_words;
