-- Search (issue 9): on SQLite this migration sets how FTS5 merges its index's segments.
-- PostgreSQL's GIN index keeps no such segments: nothing to do here.
SELECT 1;
