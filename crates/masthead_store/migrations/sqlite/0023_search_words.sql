-- Search (issue 9): on PostgreSQL this migration adds a narrow copy of each story's words
-- for reading the GIN index's matches cheaply. SQLite's FTS5 reads its own index: nothing
-- to do here.
SELECT 1;
