-- Search (issue 9): on PostgreSQL a kind filter on words in many stories walks that kind's
-- stories newest first by this index, as a section filter walks its section's
-- (`articles_section_published`). SQLite's FTS5 reads its own index newest first and checks
-- the kind in `articles_search_filter`; the index is here so both schemas stay one.
CREATE INDEX articles_kind_published ON articles (kind, published_at DESC, id DESC);
