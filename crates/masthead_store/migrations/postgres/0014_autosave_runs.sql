-- Autosaved revisions (issue 10): an autosave of a draft is a revision like any other, but
-- a run of them by one person is folded into one revision for each ten minutes of typing,
-- so the revision list shows stretches of work, not a line every few seconds. The column
-- holds when the run began (microseconds); NULL for a deliberate save.
ALTER TABLE revisions ADD COLUMN autosave_run_started BIGINT;
