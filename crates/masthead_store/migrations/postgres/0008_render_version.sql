-- Stored HTML is rendered from each story's Markdown when it is saved. When the rendering
-- changes (issue 10: headings shifted under the headline), the server's upkeep re-renders
-- stored stories in batches of ids: `render_version` is the rendering the stored HTML is
-- at (1 before this migration), `render_cursor` the last story id already re-rendered.
ALTER TABLE site_state ADD COLUMN render_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE site_state ADD COLUMN render_cursor BIGINT NOT NULL DEFAULT 0;
