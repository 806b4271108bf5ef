-- Search (issue 9): on PostgreSQL this migration keeps each story's `tsvector` in its row.
-- FTS5 keeps its own index pages: nothing to do here.
SELECT 1;
