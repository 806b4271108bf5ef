-- Search (issue 9): on PostgreSQL this migration writes the phrase index's word pairs once
-- a statement instead of once a row. SQLite's FTS5 has no such index: nothing to do here.
SELECT 1;
