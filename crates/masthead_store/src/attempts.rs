//! Counting login attempts in fixed time windows, in the database, so every app server
//! behind a load balancer enforces the same limits (see the desk's `admin/throttle.rs`).

use crate::{Result, Store, from_micros, to_micros};
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

impl Store {
    /// Counts one attempt for `key` in the window of length `window` that is current at
    /// `now` (a new window starts when the last one has passed). Returns the attempts made in
    /// this window, this one included, and when the window started. One statement, so
    /// concurrent attempts on several servers are all counted.
    pub async fn count_attempt(
        &self,
        key: &str,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<(i64, DateTime<Utc>)> {
        let row = sqlx::query(
            "INSERT INTO login_attempts (key, window_start, attempts) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
             attempts = CASE WHEN login_attempts.window_start <= $3 THEN 1 ELSE login_attempts.attempts + 1 END, \
             window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2 ELSE login_attempts.window_start END \
             RETURNING attempts, window_start",
        )
        .bind(key)
        .bind(to_micros(now))
        .bind(to_micros(now - window))
        .fetch_one(&self.writer)
        .await?;
        let attempts: i64 = row.try_get("attempts")?;
        Ok((attempts, from_micros(row.try_get("window_start")?)))
    }

    /// Deletes counters whose window ended before `before`; returns how many.
    pub async fn purge_attempts(&self, before: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query("DELETE FROM login_attempts WHERE window_start < $1")
            .bind(to_micros(before))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }
}
