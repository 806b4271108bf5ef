-- The meeting desk (issue 14): public bodies, their meetings, the documents of a meeting
-- (an agenda, minutes) with their original bytes and text, and the meeting briefs drafted
-- from them.
--
-- A body's `members` is a JSON array of {name, title, term_start, term_end} (dates as
-- YYYY-MM-DD or empty), always read with the body. A meeting's `event_id` is the calendar
-- event that announces it while it is upcoming (written in the meeting's transaction).
-- A document's bytes live in their own table so lists never read them; `text` is what the
-- extractor reads (a PDF's text layer, or the text as given), and spans index it.
-- A brief's `facts` is the extraction the draft was made from (JSON), kept as the editor
-- reviewed it; nothing with a `meeting_briefs` row publishes before `signed_off_at` is set.
CREATE TABLE public_bodies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    about TEXT NOT NULL DEFAULT '',
    members TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id INTEGER NOT NULL REFERENCES public_bodies (id),
    starts_at BIGINT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    event_id INTEGER REFERENCES events (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- A body's meetings by date (its page, the desk).
CREATE INDEX meetings_body ON meetings (body_id, starts_at);

CREATE TABLE meeting_documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    byte_size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    source_url TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    public INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX meeting_documents_meeting ON meeting_documents (meeting_id, id);

CREATE TABLE meeting_document_files (
    document_id INTEGER PRIMARY KEY REFERENCES meeting_documents (id) ON DELETE CASCADE,
    bytes BLOB NOT NULL
);

CREATE TABLE meeting_briefs (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    document_id INTEGER REFERENCES meeting_documents (id) ON DELETE SET NULL,
    facts TEXT NOT NULL,
    signed_off_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    signed_off_at BIGINT
);
CREATE INDEX meeting_briefs_meeting ON meeting_briefs (meeting_id);
