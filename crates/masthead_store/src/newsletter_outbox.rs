//! One-off mails to one reader (the confirmation link, a fresh preferences link), queued
//! with the signup that asks for them (`newsletter.rs`) and claimed, marked and settled by
//! the send worker under the same lease rules as a send's items (`newsletter_sends.rs`).

use crate::newsletter_sends::{ClaimedItem, claimed_item};
use crate::{Backend, Result, Store, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::SubscriberId;

/// A claimed one-off mail: which, and to whom.
#[derive(Debug, Clone)]
pub struct OutboxMail {
    /// `confirm` or `manage`.
    pub kind: String,
    /// The reader, with the mail's row as `id`.
    pub item: ClaimedItem,
}

impl Store {
    /// Claims up to `limit` due one-off mails for `worker` until `lease_until`.
    pub async fn claim_outbox(
        &self,
        worker: &str,
        limit: i64,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxMail>> {
        let lock = match self.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "WITH c AS (SELECT id FROM newsletter_outbox WHERE state = 'queued' AND \
             next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $4{lock}) \
             UPDATE newsletter_outbox SET state = 'claimed', claimed_by = $2, lease_until = $3, \
             updated_at = $1 FROM c WHERE newsletter_outbox.id = c.id AND \
             newsletter_outbox.state = 'queued' RETURNING newsletter_outbox.id, \
             newsletter_outbox.subscriber_id, newsletter_outbox.kind, newsletter_outbox.attempts"
        );
        let mut tx = self.write_tx().await?;
        let claimed = sqlx::query_as::<_, (i64, i64, String, i64)>(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(now))
            .bind(worker)
            .bind(to_micros(lease_until))
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        let mut mails = Vec::with_capacity(claimed.len());
        for (id, reader, kind, attempts) in claimed {
            if let Some(item) = claimed_item(&mut tx, id, SubscriberId(reader), attempts).await? {
                mails.push(OutboxMail { kind, item });
            }
        }
        self.commit(tx).await?;
        Ok(mails)
    }

    /// Marks one-off mail `id` as being handed over, if `worker` still holds it.
    pub async fn outbox_sending(&self, id: i64, worker: &str, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE newsletter_outbox SET state = 'sending', attempts = attempts + 1, \
             updated_at = $3 WHERE id = $1 AND state = 'claimed' AND claimed_by = $2",
        )
        .bind(id)
        .bind(worker)
        .bind(to_micros(now))
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records how one-off mail `id` ended: `state` is `sent`, `failed`, `uncertain`, or
    /// `queued` again with `next` as its time; `note` the server's words.
    pub async fn settle_outbox(
        &self,
        id: i64,
        worker: &str,
        state: &str,
        next: Option<DateTime<Utc>>,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE newsletter_outbox SET state = $3, next_attempt_at = COALESCE($4, \
             next_attempt_at), last_error = $5, claimed_by = NULL, lease_until = NULL, \
             updated_at = $6 WHERE id = $1 AND claimed_by = $2",
        )
        .bind(id)
        .bind(worker)
        .bind(state)
        .bind(next.map(to_micros))
        .bind(note.chars().take(500).collect::<String>())
        .bind(to_micros(now))
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}
