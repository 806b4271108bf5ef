-- Full-text search (issue 9). `article_search` holds each story's searchable text as plain
-- text (the headline, the summary, and the body with a roundup's items or a meeting's
-- decisions, rendered from Markdown without markup), written by StoryWrite in the same
-- transaction as the story. The index over it is the one part that differs by backend:
-- here an FTS5 table reading its text from `article_search` (external content), kept in
-- step by the triggers below, with English stemming (porter) over Unicode words with
-- diacritics folded. Which stories a reader may find is decided when searching, from
-- `articles`, so a status change needs no reindexing.
CREATE TABLE article_search (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL
);

CREATE VIRTUAL TABLE article_search_index USING fts5 (
    title, summary, body,
    content = 'article_search',
    content_rowid = 'article_id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER article_search_insert AFTER INSERT ON article_search BEGIN
    INSERT INTO article_search_index (rowid, title, summary, body)
    VALUES (new.article_id, new.title, new.summary, new.body);
END;

CREATE TRIGGER article_search_delete AFTER DELETE ON article_search BEGIN
    INSERT INTO article_search_index (article_search_index, rowid, title, summary, body)
    VALUES ('delete', old.article_id, old.title, old.summary, old.body);
END;

CREATE TRIGGER article_search_update AFTER UPDATE ON article_search BEGIN
    INSERT INTO article_search_index (article_search_index, rowid, title, summary, body)
    VALUES ('delete', old.article_id, old.title, old.summary, old.body);
    INSERT INTO article_search_index (rowid, title, summary, body)
    VALUES (new.article_id, new.title, new.summary, new.body);
END;

-- Stories written before this migration are indexed by the server after it starts
-- (masthead_desk::index_backlog renders their Markdown, which SQL cannot), newest first,
-- a batch per transaction: `next_id` is the highest id not yet indexed. The row is removed
-- when none is left; an empty database never gets one.
CREATE TABLE search_backlog (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    next_id BIGINT NOT NULL
);
INSERT INTO search_backlog (id, next_id) SELECT 1, max(id) FROM articles HAVING count(*) > 0;
