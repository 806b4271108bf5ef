-- Search (issue 9): FTS5's 'merge' command, which the server's upkeep runs in small steps
-- (src/search_merge.rs), also merges a level of the index that holds two segments (the
-- default is four), so the small segments of recent writes are folded into one and a
-- search reads two or three segments a word instead of about three a level (25 at 100k
-- stories). Stored in the index's own configuration table.
INSERT INTO article_search_index (article_search_index, rank) VALUES ('usermerge', 2);
