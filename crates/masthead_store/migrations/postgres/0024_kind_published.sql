-- Search (issue 9): a kind filter on words in many stories walks that kind's stories newest
-- first, as a section filter walks its section's (`articles_section_published`).
CREATE INDEX articles_kind_published ON articles (kind, published_at DESC, id DESC);
