//! The log of story writes readers can see: each commit of a [`StoryWrite`] that changes
//! what readers see moves the content version on (as every public write does) and records,
//! with the version it produced, the stories it changed.
//!
//! An app server that sees the version move from `a` to `b` asks
//! [`Store::story_changes_between`]: when every version in `a+1..=b` came from a story
//! write, it gets their stories, and turns over only the pages that show them (each story's
//! own page and the lists) instead of the whole page cache; when any step came from another
//! write (a section, a setting, a page, the front page, …), it gets `None` and turns
//! everything over, as before. The log keeps its last 10,000 entries; a server that fell
//! further behind finds a step missing and turns everything over too.
//!
//! [`StoryWrite`]: crate::StoryWrite

use crate::{Result, Store};
use masthead_core::ArticleId;
use sqlx::{Any, Row, Transaction};
use std::collections::BTreeSet;

/// The most version steps [`Store::story_changes_between`] accounts for; past it, the
/// caller turns everything over (reading the log would cost more than rendering again).
pub const MAX_STORY_STEPS: i64 = 500;

/// How many entries the log keeps.
const KEPT: i64 = 10_000;

/// Records that the write which moved the content version to `version` changed `stories`.
pub(crate) async fn record(
    tx: &mut Transaction<'static, Any>,
    version: i64,
    stories: &[ArticleId],
) -> Result<()> {
    let mut last = 0;
    for story in stories {
        let (seq,): (i64,) = sqlx::query_as(
            "INSERT INTO story_changes (version, article_id) VALUES ($1, $2) RETURNING seq",
        )
        .bind(version)
        .bind(story.0)
        .fetch_one(&mut **tx)
        .await?;
        last = seq;
    }
    if last / 1000 != (last - stories.len() as i64) / 1000 {
        sqlx::query("DELETE FROM story_changes WHERE seq < $1")
            .bind(last - KEPT)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// The stories changed by the writes that moved the content version from `from` to
    /// `to`, if every one of those writes was a story write (see the module's
    /// documentation); `None` if any was not, if the log no longer holds one of them, or if
    /// there are more than [`MAX_STORY_STEPS`].
    pub async fn story_changes_between(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Option<Vec<ArticleId>>> {
        if to <= from || to - from > MAX_STORY_STEPS {
            return Ok((to == from).then(Vec::new));
        }
        let rows = sqlx::query(
            "SELECT version, article_id FROM story_changes WHERE version > $1 AND version <= $2",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        let mut versions = BTreeSet::new();
        let mut stories = BTreeSet::new();
        for row in &rows {
            versions.insert(row.try_get::<i64, _>("version")?);
            stories.insert(ArticleId(row.try_get("article_id")?));
        }
        let every_step = i64::try_from(versions.len()).is_ok_and(|n| n == to - from);
        Ok(every_step.then(|| stories.into_iter().collect()))
    }
}
