-- Search (issue 9) checks each candidate story against the visibility rule and the
-- filters: status, publication time, section, kind. Read from the table, those columns lie
-- behind the story's text (several overflow pages on SQLite); this index holds them by id,
-- so the check reads a few bytes instead (on SQLite the search names it with INDEXED BY:
-- left to itself, the planner prefers the table's own id).
CREATE INDEX articles_search_filter ON articles (id, status, published_at, section_id, kind);
