-- Autosaved text of a story that is on the site (or scheduled), kept apart from it (issue
-- 10): an autosave never changes what readers see. One per story and staff member, the
-- editor's form as posted (urlencoded), with the version it was typed over; the editor
-- offers it back until that staff member saves the story or discards it.
CREATE TABLE autosaves (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    base_version INTEGER NOT NULL,
    saved_at BIGINT NOT NULL,
    form TEXT NOT NULL,
    PRIMARY KEY (article_id, user_id)
);
