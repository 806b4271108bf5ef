-- The events calendar (issue 11): each event gets its own page by slug (older rows get
-- event-ID), a recurrence rule (canonical RRULE with COUNT, empty for one date), the
-- organiser's contact (desk only, never public) and when it was last changed. Every date
-- of an event is a row of event_occurrences (expanded when the event is written, at most
-- 100), which the lists, the month grid and the feeds read by time.
ALTER TABLE events ADD COLUMN slug TEXT;
ALTER TABLE events ADD COLUMN rrule TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN contact TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE events SET slug = 'event-' || id, updated_at = created_at;
CREATE UNIQUE INDEX events_slug ON events (slug);
CREATE INDEX events_status ON events (status, created_at);

CREATE TABLE event_occurrences (
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, starts_at)
);
CREATE INDEX event_occurrences_start ON event_occurrences (starts_at);
CREATE INDEX event_occurrences_end ON event_occurrences (ends_at);
INSERT INTO event_occurrences (event_id, starts_at, ends_at)
    SELECT id, starts_at, COALESCE(ends_at, starts_at) FROM events;

-- Public forms: the key their fill-time tokens are signed with (made on first use, shared
-- by every app server) and the nonces of tokens already used, so a form cannot be replayed.
CREATE TABLE form_keys (
    name TEXT PRIMARY KEY,
    secret TEXT NOT NULL
);
CREATE TABLE form_nonces (
    nonce TEXT PRIMARY KEY,
    used_at BIGINT NOT NULL
);
CREATE INDEX form_nonces_used ON form_nonces (used_at);
