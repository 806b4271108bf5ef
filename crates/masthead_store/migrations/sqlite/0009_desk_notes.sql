-- Notes between editors and writers on a story: desk-only (no public page, feed or API
-- reads this table). A note that sends a story back to its writer says so in `sent_back`.
CREATE TABLE desk_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users (id),
    -- Who wrote it, as shown at the time (the account may be renamed later).
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_back INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
-- A story's thread in order, and its latest note.
CREATE INDEX desk_notes_article ON desk_notes (article_id, id);
