-- Uploads whose files are being written. A row goes in before the first file is written
-- and leaves in the same transaction that adds the `media` row, so after a crash every
-- file without a media row is named here, and the start-up sweep deletes those files.
CREATE TABLE media_uploads (
    storage_name TEXT PRIMARY KEY,
    variants TEXT NOT NULL,
    started_at BIGINT NOT NULL
);
