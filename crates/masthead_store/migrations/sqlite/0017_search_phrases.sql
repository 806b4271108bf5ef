-- Search (issue 9): on PostgreSQL this migration keeps each story's `tsvector` in its row
-- and indexes adjacent word pairs for phrases. FTS5 keeps its own index pages and finds
-- phrases from its position lists: nothing to do here.
SELECT 1;
