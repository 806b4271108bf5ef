//! What the sitemaps list, read in bounded pieces so a sitemap of any archive streams in
//! constant memory: each kind of page (stories, authors, tags, events) is split by id into ranges of
//! at most `chunk` ids, so a sitemap file never holds more than `chunk` addresses whatever is
//! deleted or unpublished, and a range is read `batch` rows at a time by keyset on the id (a
//! seek on the primary key; no `OFFSET`, no connection held between batches).
//!
//! Only what readers may see is listed: stories under the lists' visibility rule, and
//! authors and tags with at least one such story.

use crate::{Result, Store, from_micros, to_micros};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// A kind of page a sitemap lists, one id range at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SitemapKind {
    /// `/stories/{slug}`: visible stories.
    Stories,
    /// `/author/{slug}`: staff authors with a visible story.
    Authors,
    /// `/tag/{slug}`: tags with a visible story.
    Tags,
    /// `/events/{slug}`: approved and cancelled events.
    Events,
}

/// One address of a sitemap: the page's slug and when it last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapRow {
    /// The row's id (the keyset position).
    pub id: i64,
    /// The slug in the page's address.
    pub slug: String,
    /// The newest visible change: a story's update or publication; an author's or tag's
    /// newest visible story.
    pub lastmod: DateTime<Utc>,
}

/// A story for the Google News sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsRow {
    /// The slug in its address.
    pub slug: String,
    /// Its headline.
    pub title: String,
    /// When it was first published.
    pub published_at: DateTime<Utc>,
}

/// The rule for what readers may see (`ar` is the story), with the current time as `$1`.
const VISIBLE: &str = "ar.status IN ('published', 'scheduled') AND ar.published_at <= $1";

impl SitemapKind {
    /// The rows of this kind as `(id, slug, lastmod)`, `$1` being the time; `lastmod` is NULL
    /// for an author or tag with no visible story.
    fn rows(self) -> String {
        match self {
            SitemapKind::Stories => format!(
                "SELECT ar.id AS id, ar.slug AS slug, CASE WHEN ar.updated_at > ar.published_at \
                 THEN ar.updated_at ELSE ar.published_at END AS lastmod FROM articles ar WHERE {VISIBLE}"
            ),
            SitemapKind::Authors => newest_through("authors", "article_authors", "author_id"),
            SitemapKind::Tags => newest_through("tags", "article_tags", "tag_id"),
            // Every event was created before now; `$1` is compared so it has a type.
            SitemapKind::Events => "SELECT e.id AS id, e.slug AS slug, e.updated_at AS lastmod \
                 FROM events e WHERE e.status IN ('approved', 'cancelled') AND e.created_at <= $1"
                .to_owned(),
        }
    }

    fn table(self) -> &'static str {
        match self {
            SitemapKind::Stories => "articles",
            SitemapKind::Authors => "authors",
            SitemapKind::Tags => "tags",
            SitemapKind::Events => "events",
        }
    }
}

/// Authors or tags with the time of their newest visible story, read from the relation's
/// index (newest first, the first visible one).
fn newest_through(table: &str, relation: &str, key: &str) -> String {
    format!(
        "SELECT t.id AS id, t.slug AS slug, (SELECT x.published_at FROM {relation} x \
         JOIN articles ar ON ar.id = x.article_id WHERE x.{key} = t.id AND x.published_at <= $1 \
         AND {VISIBLE} ORDER BY x.published_at DESC LIMIT 1) AS lastmod FROM {table} t"
    )
}

impl Store {
    /// The id ranges of `kind` that hold at least one address, as 1-based numbers: range `n`
    /// is ids `(n-1)*chunk+1 ..= n*chunk`. Costs one lookup of the largest id and one short
    /// probe per range.
    pub async fn sitemap_chunks(
        &self,
        kind: SitemapKind,
        now: DateTime<Utc>,
        chunk: i64,
    ) -> Result<Vec<i64>> {
        let max_sql = format!("SELECT COALESCE(MAX(id), 0) FROM {}", kind.table());
        let (max_id,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(max_sql))
            .fetch_one(&self.pool)
            .await?;
        let chunk = chunk.max(1);
        let mut chunks = Vec::new();
        for n in 1..=(max_id + chunk - 1) / chunk {
            let first = self
                .sitemap_batch(kind, now, (n - 1) * chunk, n * chunk, 1)
                .await?;
            if !first.is_empty() {
                chunks.push(n);
            }
        }
        Ok(chunks)
    }

    /// Up to `limit` addresses of `kind` with ids in `after+1 ..= through`, in id order.
    /// The next batch starts after the last id returned.
    pub async fn sitemap_batch(
        &self,
        kind: SitemapKind,
        now: DateTime<Utc>,
        after: i64,
        through: i64,
        limit: u32,
    ) -> Result<Vec<SitemapRow>> {
        // Only our own SQL and an integer we computed go into the statement.
        let sql = format!(
            "SELECT id, slug, lastmod FROM ({}) c WHERE c.id > $2 AND c.id <= $3 \
             AND c.lastmod IS NOT NULL ORDER BY c.id LIMIT {limit}",
            kind.rows()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(now))
            .bind(after)
            .bind(through)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(SitemapRow {
                    id: row.try_get("id")?,
                    slug: row.try_get("slug")?,
                    lastmod: from_micros(row.try_get("lastmod")?),
                })
            })
            .collect()
    }

    /// Every section's slug with the time of its newest visible story (sections without one
    /// are left out), in navigation order.
    pub async fn sitemap_sections(&self, now: DateTime<Utc>) -> Result<Vec<SitemapRow>> {
        let sql = format!(
            "SELECT id, slug, lastmod FROM (SELECT s.id AS id, s.slug AS slug, s.position AS position, \
             (SELECT ar.published_at FROM articles ar WHERE ar.section_id = s.id AND {VISIBLE} \
             ORDER BY ar.published_at DESC LIMIT 1) AS lastmod FROM sections s) c \
             WHERE c.lastmod IS NOT NULL ORDER BY c.position, c.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(now))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(SitemapRow {
                    id: row.try_get("id")?,
                    slug: row.try_get("slug")?,
                    lastmod: from_micros(row.try_get("lastmod")?),
                })
            })
            .collect()
    }

    /// Visible stories first published after `since`, newest first, at most `limit` (the
    /// Google News sitemap), read from the publication-time index.
    pub async fn news_stories(
        &self,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<NewsRow>> {
        let sql = format!(
            "SELECT ar.slug AS slug, ar.title AS title, ar.published_at AS published_at \
             FROM articles ar WHERE {VISIBLE} AND ar.published_at > $2 \
             ORDER BY ar.published_at DESC, ar.id DESC LIMIT {limit}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(now))
            .bind(to_micros(since))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(NewsRow {
                    slug: row.try_get("slug")?,
                    title: row.try_get("title")?,
                    published_at: from_micros(row.try_get("published_at")?),
                })
            })
            .collect()
    }
}
