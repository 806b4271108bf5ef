-- A removed wire source keeps its row and its items' rows (issue 12): the stories it brought
-- stay bound by their licence (the headline and no-derivatives locks, the take-down date),
-- and adding the same feed again brings the source back with its items known, so nothing
-- is ingested twice. `removed_at` (Unix microseconds) hides it from the desk and the worker.
ALTER TABLE wire_sources ADD COLUMN removed_at BIGINT;
