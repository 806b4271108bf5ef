//! The content version and the next moment something becomes due, which together tell every
//! app server when its caches are stale.
//!
//! Every write that changes what readers can see bumps `site_state.content_version` in the
//! same transaction. App servers poll the version (one indexed row) and so learn of each
//! other's writes; time-driven changes (a scheduled story coming due, an event starting or
//! ending) are found by `next_change_after`.

use crate::{Result, Store, from_micros, to_micros};
use chrono::{DateTime, Utc};
use sqlx::Any;

/// What the caches need to know about the database's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentState {
    /// Increases with every change readers could see.
    pub version: i64,
    /// The next time something changes without a write, if anything is pending.
    pub next_change: Option<DateTime<Utc>>,
}

impl Store {
    /// The content version and the next time-driven change after `now`.
    pub async fn content_state(&self, now: DateTime<Utc>) -> Result<ContentState> {
        let (version, article, start, end): (i64, Option<i64>, Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT (SELECT content_version FROM site_state WHERE id = 1), \
             (SELECT MIN(published_at) FROM articles WHERE status = 'scheduled' AND published_at > $1), \
             (SELECT MIN(starts_at) FROM events WHERE status = 'approved' AND starts_at > $1), \
             (SELECT MIN(ends_at) FROM events WHERE status = 'approved' AND ends_at > $1)",
        )
        .bind(to_micros(now))
        .fetch_one(&self.pool)
        .await?;
        let next_change = [article, start, end]
            .into_iter()
            .flatten()
            .min()
            .map(from_micros);
        Ok(ContentState {
            version,
            next_change,
        })
    }
}

pub(crate) async fn bump_version(tx: &mut sqlx::Transaction<'_, Any>) -> Result<()> {
    sqlx::query("UPDATE site_state SET content_version = content_version + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}
