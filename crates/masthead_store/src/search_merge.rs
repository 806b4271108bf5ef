//! Keeping SQLite's full-text index merged (issue 9): FTS5 keeps its index as a set of
//! b-trees ("segments"), one more for every transaction that writes a story, and a search
//! opens an iterator on every segment for every word of every query it runs (46% of the
//! server's CPU under search load with 25 segments at 100k stories; merged into one, the
//! same searches cost about half).
//!
//! FTS5 merges on its own as stories are written (`automerge`, 4 segments of a level
//! become one of the next level), which leaves about three segments a level: 25 at 100k
//! stories. Migration `0007_search_merge` sets `usermerge` to 2, so FTS5's `'merge'` command
//! also merges a level holding two segments, and the server's upkeep runs that command in
//! steps of [`MERGE_PAGES`] pages ([`Store::merge_search_index_step`]) until a step finds
//! nothing to do. That leaves the archive's one large segment untouched and the small
//! segments of recent writes folded into one: two or three segments in all, each word read
//! at most once more than after a full `'optimize'`, and each story's entries rewritten
//! about once per level rather than the whole index after every few saves.
//!
//! Each step is its own write transaction, so a writer waits for at most one step (tens of
//! milliseconds) and the writers queued for the one SQLite writer connection go before the
//! next step. [`Store::optimize_search_index_step`] merges everything into one segment the
//! same way, for `masthead generate` and for an index that the upkeep's merges leave with
//! more than [`MERGED_SEGMENTS`] segments. PostgreSQL's GIN index has no such segments:
//! every call here is a no-op there.

use crate::{Backend, Result, Store};

/// The pages (about 4 kB each) one merge step writes: about 1 MB, tens of milliseconds.
pub const MERGE_PAGES: u32 = 256;

/// The most segments the upkeep leaves without merging the whole index into one.
pub const MERGED_SEGMENTS: u32 = 8;

/// What one merge step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeStep {
    /// It merged pages; another step may have more to do.
    Worked,
    /// There was nothing to merge.
    Done,
}

impl Store {
    /// How many segments SQLite's full-text index has (0 on PostgreSQL): each is read once
    /// per word of every search query. Reads one row per segment.
    pub async fn search_index_segments(&self) -> Result<u32> {
        if self.backend() != Backend::Sqlite {
            return Ok(0);
        }
        // A skip scan over `_idx`'s primary key (segid, term): one seek a segment, where a
        // count(DISTINCT) would read an entry per leaf page of the whole index.
        let (count,): (i64,) = sqlx::query_as(
            "WITH RECURSIVE s(segid) AS (SELECT min(segid) FROM article_search_index_idx \
             UNION ALL SELECT (SELECT min(segid) FROM article_search_index_idx i \
             WHERE i.segid > s.segid) FROM s WHERE s.segid IS NOT NULL) \
             SELECT count(segid) FROM s",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    /// One bounded step of merging: FTS5's `'merge'` with a budget of `pages`, which goes on
    /// with a merge under way or merges a level holding two or more segments (`usermerge`
    /// 2). One short write transaction. A no-op on PostgreSQL.
    pub async fn merge_search_index_step(&self, pages: u32) -> Result<MergeStep> {
        self.fts5_merge(i64::from(pages.max(1))).await
    }

    /// One bounded step of merging the whole index into one segment: starts such a merge
    /// (FTS5's `'merge'` with a negative budget, every segment eligible) when no merge is
    /// under way, else goes on with the one under way. Run it until it answers
    /// [`MergeStep::Done`]. A no-op on PostgreSQL.
    pub async fn optimize_search_index_step(&self, pages: u32) -> Result<MergeStep> {
        match self.fts5_merge(i64::from(pages.max(1))).await? {
            MergeStep::Worked => Ok(MergeStep::Worked),
            MergeStep::Done if self.search_index_segments().await? > 1 => {
                self.fts5_merge(-i64::from(pages.max(1))).await
            }
            MergeStep::Done => Ok(MergeStep::Done),
        }
    }

    /// How many pages (rows of `_data`, about 4 kB each) the index holds: what a full merge
    /// rewrites, for a progress bar. 0 on PostgreSQL.
    pub async fn search_index_pages(&self) -> Result<u64> {
        if self.backend() != Backend::Sqlite {
            return Ok(0);
        }
        let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM article_search_index_data")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Runs `'merge', budget` in a write transaction of its own; FTS5 documents that the
    /// command changed two rows or more when it did any work.
    async fn fts5_merge(&self, budget: i64) -> Result<MergeStep> {
        if self.backend() != Backend::Sqlite {
            return Ok(MergeStep::Done);
        }
        let mut tx = self.write_tx().await?;
        let (before,): (i64,) = sqlx::query_as("SELECT total_changes()")
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO article_search_index (article_search_index, rank) VALUES ('merge', $1)",
        )
        .bind(budget)
        .execute(&mut *tx)
        .await?;
        let (after,): (i64,) = sqlx::query_as("SELECT total_changes()")
            .fetch_one(&mut *tx)
            .await?;
        self.commit(tx).await?;
        Ok(if after - before >= 2 {
            MergeStep::Worked
        } else {
            MergeStep::Done
        })
    }
}
