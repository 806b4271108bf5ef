-- Search (issue 9), PostgreSQL only. First, keep each story's `tsvector` in the table's
-- own row instead of the TOAST table. A search checks and ranks stories by reading their `tsvector`, and a
-- 3 kB one stored apart (the default past 2 kB a row) cost a TOAST index lookup and
-- chunk reassembly each time: 12 µs a story, against 1–2 µs inline
-- (docs/PERFORMANCE.md, "Search"). STORAGE MAIN keeps it inline unless the row would
-- not fit a page even then; `toast_tuple_target` at its maximum stops the row from being
-- shortened before that. CLUSTER rewrites the stories already there, in id order, which
-- is also the order a search walks them (about a minute at 100k stories; the table is
-- locked meanwhile).
ALTER TABLE article_search SET (toast_tuple_target = 8160);
ALTER TABLE article_search ALTER COLUMN document SET STORAGE MAIN;
CLUSTER article_search USING article_search_pkey;
ANALYZE article_search;

-- Phrases. GIN answers "which stories hold these words" but not in which order, so a
-- phrase of common words meant reading the `tsvector` of every story holding them all
-- (hundreds of milliseconds at 100k stories). Each story's adjacent word pairs ('high
-- school', 'school board': lexemes holding a space, which no word's lexeme can) are kept
-- under their own GIN index, in a table of their own so the stories' rows stay small; a
-- phrase's pairs then name the few stories that can hold it, and only those are checked
-- for the phrase itself. The pairs come from the story's `tsvector` (word positions,
-- stopwords counted but not kept, as in a phrase query), so text is not parsed twice; a
-- trigger keeps them in step in the story's own transaction.
CREATE FUNCTION masthead_word_pairs(document tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT COALESCE(array_to_tsvector(array_agg(DISTINCT t.lexeme || ' ' || t.next)), ''::tsvector)
    FROM (SELECT u.lexeme, p, lead(u.lexeme) OVER w AS next, lead(p) OVER w AS next_p
          FROM unnest(document) u, unnest(u.positions) p WINDOW w AS (ORDER BY p)) t
    WHERE t.next_p = t.p + 1
$$;

CREATE TABLE article_search_pairs (
    article_id BIGINT PRIMARY KEY REFERENCES article_search (article_id) ON DELETE CASCADE,
    pairs tsvector NOT NULL
);
CREATE INDEX article_search_pairs_gin ON article_search_pairs USING gin (pairs);

CREATE FUNCTION masthead_search_pairs_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO article_search_pairs (article_id, pairs)
    VALUES (NEW.article_id, masthead_word_pairs(NEW.document))
    ON CONFLICT (article_id) DO UPDATE SET pairs = excluded.pairs;
    RETURN NULL;
END
$$;
CREATE TRIGGER article_search_pairs_write AFTER INSERT OR UPDATE ON article_search
    FOR EACH ROW EXECUTE FUNCTION masthead_search_pairs_write();

-- The stories already indexed (about half a millisecond each).
INSERT INTO article_search_pairs (article_id, pairs)
SELECT article_id, masthead_word_pairs(document) FROM article_search;
ANALYZE article_search_pairs;
