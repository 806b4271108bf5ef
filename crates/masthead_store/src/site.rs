//! The content version and the next moment something becomes due, which together tell every
//! app server when its caches are stale.
//!
//! Every write that changes what readers can see bumps `site_state.content_version` in the
//! same transaction. App servers poll the version (one indexed row) and so learn of each
//! other's writes; time-driven changes (a scheduled story coming due, an event starting or
//! ending) are found by `next_change_after`.

use crate::{Result, Store, from_micros, to_micros};
use chrono::{DateTime, Utc};
use sqlx::{Any, Row};

/// What the caches need to know about the database's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentState {
    /// Increases with every change readers could see.
    pub version: i64,
    /// The next time something changes without a write, if anything is pending.
    pub next_change: Option<DateTime<Utc>>,
    /// The last entry of the log of stories whose shown comments changed (0 for none):
    /// those changes turn over only the pages showing the story, not the content version.
    pub comment_seq: i64,
}

impl Store {
    /// The content version and the next time-driven change after `now`.
    pub async fn content_state(&self, now: DateTime<Utc>) -> Result<ContentState> {
        let row = sqlx::query(
            "SELECT (SELECT content_version FROM site_state WHERE id = 1) AS version, \
             (SELECT MIN(published_at) FROM articles WHERE status = 'scheduled' AND published_at > $1) \
             AS next_story, \
             (SELECT MIN(o.starts_at) FROM event_occurrences o JOIN events e ON e.id = o.event_id \
             WHERE e.status IN ('approved', 'cancelled') AND o.starts_at > $1) AS next_event_start, \
             (SELECT MIN(o.ends_at) FROM event_occurrences o JOIN events e ON e.id = o.event_id \
             WHERE e.status IN ('approved', 'cancelled') AND o.ends_at > $1) AS next_event_end, \
             (SELECT MIN(expires_at) FROM front_slots WHERE expires_at > $1) AS next_front, \
             (SELECT MIN(expires_at) FROM front_banner WHERE expires_at > $1) AS next_banner, \
             (SELECT MAX(seq) FROM comment_changes) AS comment_seq",
        )
        .bind(to_micros(now))
        .fetch_one(&self.pool)
        .await?;
        let version: i64 = row.try_get("version")?;
        let story: Option<i64> = row.try_get("next_story")?;
        let start: Option<i64> = row.try_get("next_event_start")?;
        let end: Option<i64> = row.try_get("next_event_end")?;
        // A pinned or featured story, or the banner, leaving the front by itself.
        let front: Option<i64> = row.try_get("next_front")?;
        let banner: Option<i64> = row.try_get("next_banner")?;
        let next_change = [story, start, end, front, banner]
            .into_iter()
            .flatten()
            .min()
            .map(from_micros);
        let comment_seq: Option<i64> = row.try_get("comment_seq")?;
        Ok(ContentState {
            version,
            next_change,
            comment_seq: comment_seq.unwrap_or(0),
        })
    }
}

impl Store {
    /// The content version and the last comment change (0 for none) alone: what a read
    /// replica is asked to learn how far it has replayed (see `replicas.rs`).
    pub async fn replay_mark(&self) -> Result<(i64, i64)> {
        let (version, comments): (i64, Option<i64>) = sqlx::query_as(
            "SELECT (SELECT content_version FROM site_state WHERE id = 1), \
             (SELECT MAX(seq) FROM comment_changes)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((version, comments.unwrap_or(0)))
    }
}

/// Moves the content version on in `tx`, returning the new version.
pub(crate) async fn bump_version(tx: &mut sqlx::Transaction<'_, Any>) -> Result<i64> {
    let (version,): (i64,) = sqlx::query_as(
        "UPDATE site_state SET content_version = content_version + 1 WHERE id = 1 \
         RETURNING content_version",
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(version)
}
