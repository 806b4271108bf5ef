-- The newsletter (issue 15): readers, the lists they subscribe to, and the sends that mail
-- them, with one row per (send, reader) so a send reaches each reader once.
--
-- A subscriber is `pending` until the confirmation link is followed, then `confirmed`;
-- `unsubscribed` (left every list) and `bounced` (the server refused the address as
-- unknown) are never mailed. `email_key` is the address lowercased: one address, one row.
-- `link_epoch` is in every signed link mailed to the reader; bumping it revokes them all.
-- A `subscriptions` row exists while the reader takes that list (deleted on leaving it).
--
-- A send is `draft` while the editor works on it, `scheduled` with a time, `sending` once
-- a server started it (its items written in that transaction), `paused` by the editor or
-- after repeated server failures, `done` or `cancelled`. `html` and `text_body` are
-- rendered once, with placeholders for each reader's links. A send item is `queued`,
-- `claimed` (leased by one worker), `sending` (marked after RCPT was accepted and before
-- DATA), then `sent`, `skipped` (the reader left before it went), `bounced`, `failed`, or
-- `uncertain` (the process stopped while the server was taking the message: never resent
-- on its own; the desk shows them). `outbox` holds the one-off mails to one reader (the
-- confirmation link, a fresh preferences link) under the same claim rules.
-- `smtp_budget` is the shared per-minute sending budget of every app server (one row).
-- `newsletter_clicks` counts clicks per (send, story), only when the operator enables it.
CREATE TABLE newsletter_lists (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0,
    last_sent_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE subscribers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    link_epoch BIGINT NOT NULL DEFAULT 0,
    bounce_reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    updated_at BIGINT NOT NULL
);
-- The desk's list by status, newest first.
CREATE INDEX subscribers_status ON subscribers (status, id);

CREATE TABLE subscriptions (
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    list_id INTEGER NOT NULL REFERENCES newsletter_lists (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (subscriber_id, list_id)
);
-- A list's readers, when a send starts.
CREATE INDEX subscriptions_list ON subscriptions (list_id, subscriber_id);

CREATE TABLE newsletter_sends (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    list_id INTEGER NOT NULL REFERENCES newsletter_lists (id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    subject TEXT NOT NULL,
    intro TEXT NOT NULL DEFAULT '',
    items TEXT NOT NULL DEFAULT '[]',
    article_id INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    html TEXT NOT NULL DEFAULT '',
    text_body TEXT NOT NULL DEFAULT '',
    scheduled_at BIGINT,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT,
    failures BIGINT NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT ''
);
-- Due sends, for every server's worker.
CREATE INDEX newsletter_sends_due ON newsletter_sends (state, scheduled_at, id);

CREATE TABLE send_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    send_id INTEGER NOT NULL REFERENCES newsletter_sends (id) ON DELETE CASCADE,
    subscriber_id INTEGER REFERENCES subscribers (id) ON DELETE SET NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by TEXT,
    lease_until BIGINT,
    smtp_reply TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    UNIQUE (send_id, subscriber_id)
);
-- The claim: a send's queued items in due order.
CREATE INDEX send_items_due ON send_items (send_id, state, next_attempt_at, id);
-- The sweep of expired leases.
CREATE INDEX send_items_lease ON send_items (state, lease_until);
-- Skipping a reader's queued items when they leave or bounce.
CREATE INDEX send_items_subscriber ON send_items (subscriber_id, state);

CREATE TABLE newsletter_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by TEXT,
    lease_until BIGINT,
    last_error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX newsletter_outbox_due ON newsletter_outbox (state, next_attempt_at, id);
-- A reader's recent mails, for the per-address limit.
CREATE INDEX newsletter_outbox_subscriber ON newsletter_outbox (subscriber_id, created_at);

-- Clicks on a send's stories, when the operator turns counting on: one number per
-- (send, story), nothing about who clicked.
CREATE TABLE newsletter_clicks (
    send_id INTEGER NOT NULL REFERENCES newsletter_sends (id) ON DELETE CASCADE,
    article_id INTEGER NOT NULL,
    clicks BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (send_id, article_id)
);

CREATE TABLE smtp_budget (
    id BIGINT PRIMARY KEY,
    minute BIGINT NOT NULL,
    used BIGINT NOT NULL
);
INSERT INTO smtp_budget (id, minute, used) VALUES (1, 0, 0);

-- The three lists a newsroom starts with; the desk renames or adds to them.
INSERT INTO newsletter_lists (slug, name, description, kind, position, created_at) VALUES
    ('daily', 'Daily digest', 'The day''s stories, every morning.', 'digest', 1, 0),
    ('weekly', 'Weekly digest', 'The week''s best, once a week.', 'digest', 2, 0),
    ('breaking', 'Breaking news', 'Only when something big happens.', 'alert', 3, 0);
