//! What is waiting, for `/metrics`: the newsletter's queues, wire sources due, scheduled
//! stories; and how the connection pools are used. Each count reads an index (see the
//! migrations named below), all four in one statement.

use crate::{Backend, Result, Store, to_micros};
use chrono::{DateTime, Utc};

/// The lengths of the work queues at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueLengths {
    /// One-off newsletter mails (confirmations) due now (`newsletter_outbox_due`).
    pub newsletter_mails_due: i64,
    /// Readers' copies of sends still queued, due or not (`send_items_lease`).
    pub newsletter_items_queued: i64,
    /// Enabled wire sources whose pull is due (`wire_sources_due`).
    pub wire_sources_due: i64,
    /// Stories scheduled and not yet recorded as published (`articles_scheduled`).
    pub stories_scheduled: i64,
}

/// One connection pool's use at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// `read` and `write` on SQLite (writes have a pool of one), `shared` on PostgreSQL.
    pub name: &'static str,
    /// Connections open.
    pub size: u32,
    /// Of those, idle (on PostgreSQL counting those kept idle for the next public read).
    pub idle: u32,
    /// The most it opens.
    pub max: u32,
}

impl Store {
    /// Counts what is waiting at `now`, in one statement of four indexed counts.
    pub async fn queue_lengths(&self, now: DateTime<Utc>) -> Result<QueueLengths> {
        let (mails, items, wire, scheduled) = sqlx::query_as::<_, (i64, i64, i64, i64)>(
            "SELECT \
             (SELECT count(*) FROM newsletter_outbox WHERE state = 'queued' AND next_attempt_at <= $1), \
             (SELECT count(*) FROM send_items WHERE state = 'queued'), \
             (SELECT count(*) FROM wire_sources WHERE enabled = 1 AND next_due_at <= $1), \
             (SELECT count(*) FROM articles WHERE status = 'scheduled')",
        )
        .bind(to_micros(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(QueueLengths {
            newsletter_mails_due: mails,
            newsletter_items_queued: items,
            wire_sources_due: wire,
            stories_scheduled: scheduled,
        })
    }

    /// How the connection pools are used now (no query; the pools' own counts).
    pub fn pool_use(&self) -> Vec<PoolUse> {
        let kept = self.kept.as_ref().map_or(0, |kept| kept.len());
        let of = |name, pool: &sqlx::AnyPool| PoolUse {
            name,
            size: pool.size(),
            idle: u32::try_from(pool.num_idle() + kept).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        };
        match self.backend() {
            Backend::Sqlite => vec![of("read", &self.pool), of("write", &self.writer)],
            Backend::Postgres => vec![of("shared", &self.pool)],
        }
    }
}
