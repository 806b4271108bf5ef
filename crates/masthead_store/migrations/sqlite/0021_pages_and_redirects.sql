-- The site's static pages (About, Contact, Ethics policy, …) and redirects from old addresses.
--
-- A page answers at `/` + `path`, its parent's path + `/` + its slug (`about/ethics`); the
-- path is stored (unique) so a request is one indexed lookup, and a rename rewrites the
-- paths under it in the same transaction. A page with children cannot be deleted (no
-- cascade: the desk says to move or delete them first). `status` is 'published' or 'draft';
-- `version` claims a save as stories' does.
CREATE TABLE pages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id INTEGER REFERENCES pages (id),
    slug TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    body_md TEXT NOT NULL,
    body_html TEXT NOT NULL,
    menu_order INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
-- A page's children in menu order (the desk's tree, the footer's top-level pages).
CREATE INDEX pages_parent ON pages (parent_id, menu_order, id);

-- Old addresses that answer 301: `old_key` is `masthead_core::old_address::redirect_key` of
-- the address, `target` a path on this site or an absolute http(s) URL. `origin` says who
-- made it: 'import', 'desk' or 'page' (a page moved). `hits` is counted in memory and added
-- here at most once a minute, never by the request itself.
CREATE TABLE redirects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    old_key TEXT NOT NULL UNIQUE,
    target TEXT NOT NULL,
    origin TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    hits BIGINT NOT NULL DEFAULT 0
);
-- Redirects pointing at a page's old path are repointed when it moves again.
CREATE INDEX redirects_target ON redirects (target);
