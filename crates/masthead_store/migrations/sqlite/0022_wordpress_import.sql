-- WordPress imports (issue 13). `import_records` says what each thing of an export became
-- (a story, a page, a comment, an image, a byline, a section): the key is the old site's
-- address with the thing's kind and WordPress id, so importing the same file again creates
-- nothing twice, a run stopped half-way resumes, and a thing changed at the source (another
-- `content_hash`) is updated, unless someone saved it here since (`version` is the story's
-- version the import wrote). `data` keeps what the desk shows beside an imported story:
-- its custom fields and old address, as JSON. `import_runs` keeps each run's report.
CREATE TABLE import_records (
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    old_id TEXT NOT NULL,
    local_id BIGINT NOT NULL,
    content_hash TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 0,
    data TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (source, kind, old_id)
);
CREATE INDEX import_records_local ON import_records (kind, local_id);
CREATE TABLE import_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    file_name TEXT NOT NULL,
    dry_run INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    report TEXT NOT NULL DEFAULT '{}'
);
