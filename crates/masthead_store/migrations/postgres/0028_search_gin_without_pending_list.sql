-- Search (issue 17): the GIN indexes of the search words and the phrases' word pairs take
-- each story's entries as the story is written, instead of through a pending list.
--
-- With `fastupdate` on (PostgreSQL's default) a write appends its entries to the index's
-- pending list, and whoever finds the list past `gin_pending_list_limit` (4 MB) merges all
-- of it into the index: the write that happens to cross the limit, or autovacuum. While
-- autovacuum merged a full list, writes to the same index waited on it: 1.5–9 s at 130,000
-- stories and past the 15 s statement deadline at 280,000 (two writers, two cores), so a
-- story save could be refused for another's entries. Without the list each write pays for
-- its own entries only (a bulk import writes about a third fewer stories a second: 300
-- against 444 at 200,000 stories, none of them waiting), and a search never reads a list
-- beside the index. PostgreSQL's documentation gives the
-- same advice where "consistent response time is more important than update speed".
ALTER INDEX article_search_words_gin SET (fastupdate = off);
ALTER INDEX article_search_pairs_gin SET (fastupdate = off);
-- Turning the list off keeps the entries already in it until a vacuum; merge them now.
SELECT gin_clean_pending_list('article_search_words_gin'::regclass);
SELECT gin_clean_pending_list('article_search_pairs_gin'::regclass);
