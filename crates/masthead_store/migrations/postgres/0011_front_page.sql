-- The front page under the editor's control (issue 10): a pinned top story (position 0)
-- and an ordered set of featured stories (positions 1, 2, …), each with an optional expiry
-- (Unix microseconds UTC), and a breaking-news banner (one row at most). An expired slot
-- or banner is ignored when pages are built; the page cache turns over at the expiry time
-- (see site.rs, content_state).
CREATE TABLE front_slots (
    article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    position BIGINT NOT NULL UNIQUE,
    expires_at BIGINT
);
CREATE TABLE front_banner (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    text TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    expires_at BIGINT,
    updated_at BIGINT NOT NULL
);
