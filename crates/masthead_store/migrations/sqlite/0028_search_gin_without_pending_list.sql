-- Search (issue 17): on PostgreSQL this migration turns off the GIN indexes' pending lists,
-- so a story's save never waits for another's index entries. SQLite's FTS5 has no such
-- list: nothing to do here.
SELECT 1;
