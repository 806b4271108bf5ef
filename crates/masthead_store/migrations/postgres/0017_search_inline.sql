-- Search (issue 9): keep each story's `tsvector` in the table's own row instead of the
-- TOAST table. A search checks and ranks stories by reading their `tsvector`, and a
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
