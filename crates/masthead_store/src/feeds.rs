//! Stories as feeds show them: the newest of a list, read with the list's own query (an index
//! read in order, newest first, never an `OFFSET` into the archive), then their bodies and
//! fields by primary key in one more query.

use crate::articles::ArticleFilter;
use crate::model::Teaser;
use crate::story::{ArticleFields, FIELD_COLUMNS};
use crate::{Result, Store, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::PageNumber;
use sqlx::Row;
use std::collections::HashMap;

/// The most stories one feed may ask for (keeps the `IN` list, and the statements the
/// database prepares for it, small).
pub const MAX_FEED_STORIES: u32 = 50;

/// A story with everything a feed entry shows.
#[derive(Debug, Clone)]
pub struct FeedStory {
    /// The teaser fields (title, slug, byline, section, image, times).
    pub teaser: Teaser,
    /// The sanitized body.
    pub body_html: String,
    /// Every field its writers set: the correction notes, a roundup's items, a meeting's
    /// decisions, the source.
    pub story: ArticleFields,
    /// The lead image's size in bytes (0 without one).
    pub image_bytes: i64,
    /// The lead image's media type ("" without one).
    pub image_type: String,
}

impl Store {
    /// The newest `count` (at most [`MAX_FEED_STORIES`]) visible stories of `filter` at
    /// `now`, newest first. A story unpublished between the two queries is left out.
    pub async fn feed_stories(
        &self,
        filter: ArticleFilter,
        now: DateTime<Utc>,
        count: u32,
    ) -> Result<Vec<FeedStory>> {
        let count = count.clamp(1, MAX_FEED_STORIES);
        let list = self
            .list_articles(filter, now, PageNumber::FIRST, count)
            .await?;
        if list.items.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..list.items.len())
            .map(|i| format!("${}", i + 2))
            .collect();
        let columns: Vec<String> = FIELD_COLUMNS.iter().map(|c| format!("ar.{c}")).collect();
        // Only `$n` placeholders and our own column names go into the SQL.
        let sql = format!(
            "SELECT ar.id, ar.body_html, COALESCE(m.byte_size, 0) AS image_bytes, \
             COALESCE(m.content_type, '') AS image_type, {} \
             FROM articles ar LEFT JOIN media m ON m.id = ar.image_id \
             WHERE ar.id IN ({}) AND ar.status IN ('published', 'scheduled') AND ar.published_at <= $1",
            columns.join(", "),
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(to_micros(now));
        for teaser in &list.items {
            query = query.bind(teaser.id.0);
        }
        let mut rows: HashMap<i64, _> = HashMap::new();
        for row in query.fetch_all(&self.pool).await? {
            let id: i64 = row.try_get("id")?;
            rows.insert(id, row);
        }
        let mut stories = Vec::with_capacity(list.items.len());
        for teaser in list.items {
            let Some(row) = rows.remove(&teaser.id.0) else {
                continue;
            };
            stories.push(FeedStory {
                body_html: row.try_get("body_html")?,
                story: ArticleFields::from_row(&row, Vec::new(), Vec::new())?,
                image_bytes: row.try_get("image_bytes")?,
                image_type: row.try_get("image_type")?,
                teaser,
            });
        }
        Ok(stories)
    }
}
