//! The store's health as `/healthz` reports it: can it read, and can it write?
//!
//! A store that answers `SELECT 1` may still be unable to serve: a table held locked (a
//! read on it would wait until the lock deadline), a write lock that never comes free, a
//! disk with no room left. [`Store::check_health`] asks what the site needs: a read of the
//! stories table, and on SQLite a write that needs new pages, made inside `BEGIN
//! IMMEDIATE` and rolled back, so it proves the write lock can be had and the database can
//! grow without changing anything. On PostgreSQL, where disk space is the server's
//! concern, it checks that the session is not read-only (a standby or a read-only
//! database).
//!
//! A real full disk hides from such a probe: SQLite writes nothing to disk until a commit,
//! and a commit that only reuses its log's space goes through while one that must grow the
//! files fails. So the store also remembers the last commit that failed for lack of space
//! until a commit succeeds: [`Store::full_for`] reports it, for at most [`FULL_MEMORY`]
//! (after which a still-full disk shows again at the next failing save). The probe holds
//! the write lock for well under a millisecond, less than a login attempt.

use crate::{Backend, Result, Store, StoreError};
use std::time::{Duration, Instant};

/// How long a commit that failed for lack of space keeps the store reported as full when no
/// commit has succeeded since.
pub const FULL_MEMORY: Duration = Duration::from_secs(60);

/// Room the write probe asks for: enough pages that a database with no space left fails.
const PROBE_BYTES: i64 = 64 * 1024;

impl Store {
    /// How long ago a commit failed for lack of space, if none has succeeded since and it
    /// was within [`FULL_MEMORY`].
    pub fn full_for(&self) -> Option<Duration> {
        let since = *self
            .full_since
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        since
            .map(|at| at.elapsed())
            .filter(|elapsed| *elapsed < FULL_MEMORY)
    }

    /// Records how a commit went (see [`Store::full_for`]).
    pub(crate) fn note_commit(&self, done: &Result<()>) {
        let mut since = self
            .full_since
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match done {
            Ok(()) => {
                *since = None;
                self.commits
                    .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            }
            Err(e) if e.is_full() => *since = Some(Instant::now()),
            Err(_) => {}
        }
    }

    /// Checks that the store can read the stories table and take a write. A busy database
    /// is `Busy`, one without room is `Full`.
    pub async fn check_health(&self) -> Result<()> {
        sqlx::query("SELECT id FROM articles LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        match self.backend() {
            Backend::Sqlite => {
                let mut tx = self.write_tx().await?;
                sqlx::query("CREATE TABLE masthead_write_probe (b BLOB)")
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO masthead_write_probe (b) VALUES (zeroblob($1))")
                    .bind(PROBE_BYTES)
                    .execute(&mut *tx)
                    .await?;
                tx.rollback().await?;
            }
            Backend::Postgres => {
                let (read_only,): (String,) = sqlx::query_as("SHOW transaction_read_only")
                    .fetch_one(&self.pool)
                    .await?;
                if read_only == "on" {
                    return Err(StoreError::Config(
                        "the PostgreSQL session is read-only (a standby, or a read-only \
                         database): point the database URL at the primary"
                            .to_owned(),
                    ));
                }
            }
        }
        Ok(())
    }
}
