//! A newsletter send and its queue (migration 0026): one `send_items` row per (send,
//! reader), written in the transaction that starts the send, so each reader is mailed at
//! most once whichever and however many app servers work on it.
//!
//! The life of an item: a worker claims a few `queued` items with a lease (on PostgreSQL
//! `FOR UPDATE SKIP LOCKED`, so two servers take different rows; SQLite's one writer runs
//! claims in turn); once the server accepted the recipient, and only if the reader still
//! takes the list, the item becomes `sending`, committed before the message is handed over;
//! the server's answer settles it (`sent`, back to `queued` with a later time, `bounced`,
//! `failed`). A process that stops while holding items leaves leases that run out: a
//! `claimed` item goes back to the queue (nothing was handed over), a `sending` one becomes
//! `uncertain` and is never sent again on its own — the server may have taken it, and SMTP
//! cannot say. The desk shows those and can send them again.

use crate::audit::{Actor, record};
use crate::newsletter::{ListKind, skip_queued};
use crate::{Backend, Result, Store, StoreError, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, ListId, SendId, SubscriberId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// Where a send stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SendState {
    /// Being written.
    Draft,
    /// Waiting for its time.
    Scheduled,
    /// Going out.
    Sending,
    /// Stopped by the editor, or by repeated server failures.
    Paused,
    /// Every item settled.
    Done,
    /// Called off; what was queued was skipped.
    Cancelled,
}

impl SendState {
    const ALL: [SendState; 6] = [
        Self::Draft,
        Self::Scheduled,
        Self::Sending,
        Self::Paused,
        Self::Done,
        Self::Cancelled,
    ];

    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Sending => "sending",
            Self::Paused => "paused",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| StoreError::Corrupt(format!("send state {s:?}")))
    }
}

/// How many of a send's items stand where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SendCounts {
    /// Waiting (or claimed by a worker).
    pub waiting: i64,
    /// Handed to the server, answer pending.
    pub sending: i64,
    /// Accepted by the server.
    pub sent: i64,
    /// The reader left before it went.
    pub skipped: i64,
    /// The address was refused as unknown.
    pub bounced: i64,
    /// Refused, or retried until giving up.
    pub failed: i64,
    /// Perhaps sent: the process stopped while the server was taking it.
    pub uncertain: i64,
}

impl SendCounts {
    /// Every item.
    pub fn total(&self) -> i64 {
        self.waiting
            + self.sending
            + self.sent
            + self.skipped
            + self.bounced
            + self.failed
            + self.uncertain
    }
}

/// A send, with its list and progress.
#[derive(Debug, Clone, Serialize)]
pub struct Send {
    /// Its id.
    pub id: SendId,
    /// The list it goes to.
    pub list_id: ListId,
    /// That list's name.
    pub list_name: String,
    /// Digest or alert.
    pub kind: ListKind,
    /// Where it stands.
    pub state: SendState,
    /// The mail's subject.
    pub subject: String,
    /// The editor's note above the stories.
    pub intro: String,
    /// The stories, in order, as the editor left them (JSON, the web layer's shape).
    pub items_json: String,
    /// When it is due, if scheduled.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When a server started it.
    pub started_at: Option<DateTime<Utc>>,
    /// When its last item settled.
    pub finished_at: Option<DateTime<Utc>>,
    /// The last server failure, for the editor.
    pub last_error: String,
    /// Its items' progress.
    pub counts: SendCounts,
}

/// What the editor writes of a send; `html` and `text` are the rendered mail with each
/// reader's placeholders.
#[derive(Debug, Clone, Default)]
pub struct SendContent {
    /// The subject.
    pub subject: String,
    /// The note above the stories.
    pub intro: String,
    /// The stories, in order (JSON, the web layer's shape).
    pub items_json: String,
    /// The story an alert is about.
    pub article: Option<ArticleId>,
    /// The mail's HTML.
    pub html: String,
    /// The mail's plain text.
    pub text: String,
}

/// A claimed item: who gets it.
#[derive(Debug, Clone)]
pub struct ClaimedItem {
    /// The item's row.
    pub id: i64,
    /// The reader.
    pub reader: SubscriberId,
    /// Their address.
    pub email: String,
    /// Their name.
    pub name: String,
    /// In their links.
    pub link_epoch: i64,
    /// Tries so far.
    pub attempts: i64,
}

/// How an item ended (or will be tried again).
#[derive(Debug, Clone)]
pub enum ItemOutcome {
    /// The server took it; its reply.
    Sent(String),
    /// Try again at this time; the server's words.
    Retry(DateTime<Utc>, String),
    /// Refused for good (not the address's fault); the server's words.
    Failed(String),
    /// The address is unknown: the reader is marked bounced, never mailed again.
    Bounced(String),
    /// The message may have reached the server; never resent on its own.
    Uncertain(String),
}

const SEND_COLUMNS: &str = "d.id, d.list_id, l.name AS list_name, d.kind, d.state, d.subject, \
     d.intro, d.items, d.scheduled_at, d.created_at, d.started_at, d.finished_at, d.last_error";

fn send_from(row: &AnyRow) -> Result<Send> {
    let items: String = row.try_get("items")?;
    let kind: String = row.try_get("kind")?;
    let opt = |name: &str| -> Result<Option<DateTime<Utc>>> {
        Ok(row.try_get::<Option<i64>, _>(name)?.map(from_micros))
    };
    Ok(Send {
        id: SendId(row.try_get("id")?),
        list_id: ListId(row.try_get("list_id")?),
        list_name: row.try_get("list_name")?,
        kind: if kind == "alert" {
            ListKind::Alert
        } else {
            ListKind::Digest
        },
        state: SendState::parse(&row.try_get::<String, _>("state")?)?,
        subject: row.try_get("subject")?,
        intro: row.try_get("intro")?,
        items_json: items,
        scheduled_at: opt("scheduled_at")?,
        created_at: from_micros(row.try_get("created_at")?),
        started_at: opt("started_at")?,
        finished_at: opt("finished_at")?,
        last_error: row.try_get("last_error")?,
        counts: SendCounts::default(),
    })
}

impl Store {
    /// Makes a draft send to `list`. Audit-logged.
    pub async fn create_send(
        &self,
        list: ListId,
        kind: ListKind,
        content: &SendContent,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<SendId> {
        let mut tx = self.write_tx().await?;
        let (id,) = sqlx::query_as::<_, (i64,)>(
            "INSERT INTO newsletter_sends (list_id, kind, state, subject, intro, items, \
             article_id, html, text_body, created_by, created_at, updated_at) \
             VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(list.0)
        .bind(kind.as_str())
        .bind(content.subject.as_str())
        .bind(content.intro.as_str())
        .bind(content.items_json.as_str())
        .bind(content.article.map(|a| a.0))
        .bind(content.html.as_str())
        .bind(content.text.as_str())
        .bind(actor.user.map(|u| u.0))
        .bind(to_micros(now))
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            "newsletter.draft",
            &format!("send:{id}"),
            &content.subject,
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(SendId(id))
    }

    /// Saves the editor's content of a draft or scheduled send; `false` once it started.
    pub async fn update_send(
        &self,
        id: SendId,
        content: &SendContent,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE newsletter_sends SET subject = $2, intro = $3, items = $4, html = $5, \
             text_body = $6, updated_at = $7 WHERE id = $1 AND state IN ('draft', 'scheduled')",
        )
        .bind(id.0)
        .bind(content.subject.as_str())
        .bind(content.intro.as_str())
        .bind(content.items_json.as_str())
        .bind(content.html.as_str())
        .bind(content.text.as_str())
        .bind(to_micros(now))
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Moves send `id` from one of `from` to `to` (scheduling sets `at`); `false` when it
    /// stood elsewhere. Cancelling skips what is still queued. Audit-logged.
    pub async fn move_send(
        &self,
        id: SendId,
        from: &[SendState],
        to: SendState,
        at: Option<DateTime<Utc>>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let states: Vec<String> = from.iter().map(|s| format!("'{}'", s.as_str())).collect();
        let sql = format!(
            "UPDATE newsletter_sends SET state = $2, scheduled_at = CASE WHEN $2 = 'scheduled' \
             THEN $3 ELSE scheduled_at END, updated_at = $4 WHERE id = $1 AND state IN ({})",
            states.join(", ")
        );
        let moved = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .bind(to.as_str())
            .bind(at.map(to_micros))
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if moved {
            if to == SendState::Cancelled {
                sqlx::query(
                    "UPDATE send_items SET state = 'skipped', updated_at = $2 \
                     WHERE send_id = $1 AND state = 'queued'",
                )
                .bind(id.0)
                .bind(to_micros(now))
                .execute(&mut *tx)
                .await?;
            }
            let detail = at.map(|a| a.to_rfc3339()).unwrap_or_default();
            let action = format!("newsletter.{}", to.as_str());
            record(&mut tx, actor, &action, &format!("send:{id}"), &detail, now).await?;
        }
        self.commit(tx).await?;
        Ok(moved)
    }

    /// A send with its progress.
    pub async fn send(&self, id: SendId) -> Result<Option<Send>> {
        let sql = format!(
            "SELECT {SEND_COLUMNS} FROM newsletter_sends d JOIN newsletter_lists l \
             ON l.id = d.list_id WHERE d.id = $1"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let mut send = send_from(&row)?;
        send.counts = self.send_counts(id).await?;
        Ok(Some(send))
    }

    /// Where send `id` stands (without counting its items: the worker asks before each batch).
    pub async fn send_state(&self, id: SendId) -> Result<Option<SendState>> {
        let row =
            sqlx::query_as::<_, (String,)>("SELECT state FROM newsletter_sends WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(s,)| SendState::parse(&s)).transpose()
    }

    /// The latest `limit` sends, newest first, with their progress.
    pub async fn recent_sends(&self, limit: i64) -> Result<Vec<Send>> {
        let sql = format!(
            "SELECT {SEND_COLUMNS} FROM newsletter_sends d JOIN newsletter_lists l \
             ON l.id = d.list_id ORDER BY d.id DESC LIMIT $1"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        let mut sends = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut send = send_from(row)?;
            send.counts = self.send_counts(send.id).await?;
            sends.push(send);
        }
        Ok(sends)
    }

    /// A send's rendered mail: (HTML, text).
    pub async fn send_body(&self, id: SendId) -> Result<Option<(String, String)>> {
        Ok(sqlx::query_as::<_, (String, String)>(
            "SELECT html, text_body FROM newsletter_sends WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// How many of a send's items stand where.
    pub async fn send_counts(&self, id: SendId) -> Result<SendCounts> {
        let rows = sqlx::query_as::<_, (String, i64)>(
            "SELECT state, count(*) FROM send_items WHERE send_id = $1 GROUP BY state",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        let mut c = SendCounts::default();
        for (state, n) in rows {
            match state.as_str() {
                "queued" | "claimed" => c.waiting += n,
                "sending" => c.sending += n,
                "sent" => c.sent += n,
                "skipped" => c.skipped += n,
                "bounced" => c.bounced += n,
                "uncertain" => c.uncertain += n,
                _ => c.failed += n,
            }
        }
        Ok(c)
    }

    /// Starts the earliest due scheduled send, if any, in one transaction with its items
    /// (one per confirmed reader of its list at this moment): of several servers asking at
    /// once, one starts it. Returns it.
    pub async fn start_due_send(&self, now: DateTime<Utc>) -> Result<Option<SendId>> {
        let mut tx = self.write_tx().await?;
        let started = sqlx::query_as::<_, (i64, i64)>(
            "UPDATE newsletter_sends SET state = 'sending', started_at = $1, updated_at = $1 \
             WHERE id = (SELECT id FROM newsletter_sends WHERE state = 'scheduled' AND \
             scheduled_at <= $1 ORDER BY scheduled_at, id LIMIT 1) AND state = 'scheduled' \
             RETURNING id, list_id",
        )
        .bind(to_micros(now))
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id, list)) = started else {
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO send_items (send_id, subscriber_id, state, next_attempt_at, updated_at) \
             SELECT $1, x.subscriber_id, 'queued', $3, $3 FROM subscriptions x JOIN subscribers s \
             ON s.id = x.subscriber_id WHERE x.list_id = $2 AND s.status = 'confirmed' \
             ORDER BY x.subscriber_id ON CONFLICT (send_id, subscriber_id) DO NOTHING",
        )
        .bind(id)
        .bind(list)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE newsletter_lists SET last_sent_at = $2 WHERE id = $1")
            .bind(list)
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await?;
        self.commit(tx).await?;
        Ok(Some(SendId(id)))
    }

    /// The sends going out now, oldest first.
    pub async fn sends_going_out(&self) -> Result<Vec<SendId>> {
        let rows = sqlx::query_as::<_, (i64,)>(
            "SELECT id FROM newsletter_sends WHERE state = 'sending' ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| SendId(id)).collect())
    }

    /// Claims up to `limit` due items of `send` for `worker` until `lease_until`.
    pub async fn claim_send_items(
        &self,
        send: SendId,
        worker: &str,
        limit: i64,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<ClaimedItem>> {
        let lock = match self.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "WITH c AS (SELECT id FROM send_items WHERE send_id = $1 AND state = 'queued' AND \
             next_attempt_at <= $2 ORDER BY next_attempt_at, id LIMIT $5{lock}) \
             UPDATE send_items SET state = 'claimed', claimed_by = $3, lease_until = $4, \
             updated_at = $2 FROM c WHERE send_items.id = c.id AND send_items.state = 'queued' \
             RETURNING send_items.id, send_items.subscriber_id, send_items.attempts"
        );
        let mut tx = self.write_tx().await?;
        let claimed = sqlx::query_as::<_, (i64, Option<i64>, i64)>(sqlx::AssertSqlSafe(sql))
            .bind(send.0)
            .bind(to_micros(now))
            .bind(worker)
            .bind(to_micros(lease_until))
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        let mut items = Vec::with_capacity(claimed.len());
        for (id, reader, attempts) in claimed {
            let Some(reader) = reader else { continue };
            items.extend(claimed_item(&mut tx, id, SubscriberId(reader), attempts).await?);
        }
        self.commit(tx).await?;
        items.sort_by_key(|i| i.id);
        Ok(items)
    }

    /// The last moment before the message is handed over: marks claimed item `id` as
    /// `sending` if `worker` still holds it and its reader still takes `send`'s list and is
    /// confirmed. `false` means do not send (reset the envelope and move on).
    pub async fn item_sending(&self, id: i64, worker: &str, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE send_items SET state = 'sending', attempts = attempts + 1, updated_at = $3 \
             WHERE id = $1 AND state = 'claimed' AND claimed_by = $2 AND EXISTS (SELECT 1 FROM \
             subscriptions x JOIN subscribers s ON s.id = x.subscriber_id JOIN newsletter_sends d \
             ON d.list_id = x.list_id WHERE x.subscriber_id = send_items.subscriber_id AND \
             d.id = send_items.send_id AND s.status = 'confirmed' AND d.state = 'sending')",
        )
        .bind(id)
        .bind(worker)
        .bind(to_micros(now))
        .execute(&self.writer)
        .await?;
        if done.rows_affected() == 0 {
            // Left, bounced, erased or the send was stopped: this item is not going.
            sqlx::query(
                "UPDATE send_items SET state = CASE WHEN EXISTS (SELECT 1 FROM newsletter_sends \
                 d WHERE d.id = send_items.send_id AND d.state = 'sending') THEN 'skipped' \
                 ELSE 'queued' END, claimed_by = NULL, lease_until = NULL, updated_at = $3 \
                 WHERE id = $1 AND state = 'claimed' AND claimed_by = $2",
            )
            .bind(id)
            .bind(worker)
            .bind(to_micros(now))
            .execute(&self.writer)
            .await?;
        }
        Ok(done.rows_affected() == 1)
    }

    /// Records how item `id` (held by `worker`) ended. A bounce marks its reader bounced
    /// and skips what else is queued for them, in the same transaction.
    pub async fn settle_item(
        &self,
        id: i64,
        worker: &str,
        outcome: &ItemOutcome,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (state, next, reply) = match outcome {
            ItemOutcome::Sent(r) => ("sent", None, r),
            ItemOutcome::Retry(at, r) => ("queued", Some(*at), r),
            ItemOutcome::Failed(r) => ("failed", None, r),
            ItemOutcome::Bounced(r) => ("bounced", None, r),
            ItemOutcome::Uncertain(r) => ("uncertain", None, r),
        };
        let mut tx = self.write_tx().await?;
        let reader = sqlx::query_as::<_, (Option<i64>,)>(
            "UPDATE send_items SET state = $3, next_attempt_at = COALESCE($4, next_attempt_at), \
             smtp_reply = $5, claimed_by = NULL, lease_until = NULL, updated_at = $6 \
             WHERE id = $1 AND claimed_by = $2 AND state IN ('claimed', 'sending', 'uncertain') \
             RETURNING subscriber_id",
        )
        .bind(id)
        .bind(worker)
        .bind(state)
        .bind(next.map(to_micros))
        .bind(clip(reply))
        .bind(to_micros(now))
        .fetch_optional(&mut *tx)
        .await?;
        if let (ItemOutcome::Bounced(reason), Some((Some(reader),))) = (outcome, reader) {
            sqlx::query(
                "UPDATE subscribers SET status = 'bounced', bounce_reason = $2, updated_at = $3 \
                 WHERE id = $1",
            )
            .bind(reader)
            .bind(clip(reason))
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await?;
            skip_queued(&mut tx, SubscriberId(reader), None, now).await?;
        }
        self.commit(tx).await
    }

    /// Gives `worker`'s claimed (not yet handed over) items of `ids` back to the queue,
    /// due at `at`: the server could not be reached, and it is nobody's fault.
    pub async fn release_items(
        &self,
        ids: &[i64],
        worker: &str,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        for chunk in ids.chunks(500) {
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            let sql = format!(
                "UPDATE send_items SET state = 'queued', claimed_by = NULL, lease_until = NULL, \
                 next_attempt_at = $2, updated_at = $3 WHERE claimed_by = $1 AND \
                 state = 'claimed' AND id IN ({})",
                list.join(", ")
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(worker)
                .bind(to_micros(at))
                .bind(to_micros(now))
                .execute(&self.writer)
                .await?;
        }
        Ok(())
    }

    /// Extends `worker`'s leases to `until` (it is alive and still working on them).
    pub async fn renew_leases(&self, worker: &str, until: DateTime<Utc>) -> Result<()> {
        for table in ["send_items", "newsletter_outbox"] {
            let sql = format!(
                "UPDATE {table} SET lease_until = $2 WHERE claimed_by = $1 AND \
                 state IN ('claimed', 'sending')"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(worker)
                .bind(to_micros(until))
                .execute(&self.writer)
                .await?;
        }
        Ok(())
    }

    /// Settles the leases that ran out before `before` (every lease with `None`: at start on
    /// SQLite, where no other server can hold one): a `claimed` item goes back to the queue,
    /// a `sending` one becomes `uncertain`. Returns (requeued, uncertain).
    pub async fn sweep_leases(&self, before: Option<DateTime<Utc>>) -> Result<(u64, u64)> {
        let cut = before.map_or(i64::MAX, to_micros);
        let mut tx = self.write_tx().await?;
        let mut counts = (0, 0);
        for table in ["send_items", "newsletter_outbox"] {
            let requeue = format!(
                "UPDATE {table} SET state = 'queued', claimed_by = NULL, lease_until = NULL \
                 WHERE state = 'claimed' AND lease_until < $1"
            );
            counts.0 += sqlx::query(sqlx::AssertSqlSafe(requeue))
                .bind(cut)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let lost = format!(
                "UPDATE {table} SET state = 'uncertain', lease_until = NULL \
                 WHERE state = 'sending' AND lease_until < $1"
            );
            counts.1 += sqlx::query(sqlx::AssertSqlSafe(lost))
                .bind(cut)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        self.commit(tx).await?;
        Ok(counts)
    }

    /// Marks done every going send with nothing left waiting or in hand; returns them.
    pub async fn finish_sends(&self, now: DateTime<Utc>) -> Result<Vec<SendId>> {
        let rows = sqlx::query_as::<_, (i64,)>(
            "UPDATE newsletter_sends SET state = 'done', finished_at = $1, updated_at = $1 \
             WHERE state = 'sending' AND NOT EXISTS (SELECT 1 FROM send_items i WHERE \
             i.send_id = newsletter_sends.id AND i.state IN ('queued', 'claimed', 'sending')) \
             RETURNING id",
        )
        .bind(to_micros(now))
        .fetch_all(&self.writer)
        .await?;
        Ok(rows.into_iter().map(|(id,)| SendId(id)).collect())
    }

    /// Notes a server failure on `send`; after `pause_after` in a row it is paused with
    /// `error` shown to the editor. A success clears the count (`error` of `None`).
    pub async fn note_send_failure(
        &self,
        send: SendId,
        error: Option<&str>,
        pause_after: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let Some(error) = error else {
            sqlx::query("UPDATE newsletter_sends SET failures = 0 WHERE id = $1 AND failures > 0")
                .bind(send.0)
                .execute(&self.writer)
                .await?;
            return Ok(false);
        };
        let paused = sqlx::query_as::<_, (String,)>(
            "UPDATE newsletter_sends SET failures = failures + 1, last_error = $2, \
             state = CASE WHEN failures + 1 >= $3 AND state = 'sending' THEN 'paused' \
             ELSE state END, updated_at = $4 WHERE id = $1 RETURNING state",
        )
        .bind(send.0)
        .bind(clip(error))
        .bind(pause_after)
        .bind(to_micros(now))
        .fetch_optional(&self.writer)
        .await?;
        Ok(matches!(paused, Some((s,)) if s == "paused"))
    }

    /// Puts a send's uncertain items back in the queue (the editor chose to send them
    /// again, accepting that some readers may get the mail twice). Returns how many.
    pub async fn resend_uncertain(
        &self,
        send: SendId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.write_tx().await?;
        let n = sqlx::query(
            "UPDATE send_items SET state = 'queued', next_attempt_at = $2, updated_at = $2 \
             WHERE send_id = $1 AND state = 'uncertain'",
        )
        .bind(send.0)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n > 0 {
            sqlx::query(
                "UPDATE newsletter_sends SET state = 'sending', finished_at = NULL \
                 WHERE id = $1 AND state IN ('done', 'paused')",
            )
            .bind(send.0)
            .execute(&mut *tx)
            .await?;
            let detail = format!("{n} items");
            record(
                &mut tx,
                actor,
                "newsletter.resend",
                &format!("send:{send}"),
                &detail,
                now,
            )
            .await?;
        }
        self.commit(tx).await?;
        Ok(n)
    }

    /// Takes `n` messages from this minute's budget of `per_minute`, shared by every app
    /// server; `false` when the minute's budget is spent (wait for the next).
    pub async fn take_smtp_budget(&self, minute: i64, n: i64, per_minute: i64) -> Result<bool> {
        let row = sqlx::query(
            "UPDATE smtp_budget SET used = CASE WHEN minute = $1 THEN used + $2 ELSE $2 END, \
             minute = $1 WHERE id = 1 AND (minute <> $1 OR used + $2 <= $3) RETURNING used",
        )
        .bind(minute)
        .bind(n)
        .bind(per_minute)
        .fetch_optional(&self.writer)
        .await?;
        Ok(row.is_some())
    }
}

/// Claimed row `id` for `reader` with the reader's address, name and link epoch; `None`
/// if the reader was erased meanwhile.
pub(crate) async fn claimed_item(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
    reader: SubscriberId,
    attempts: i64,
) -> Result<Option<ClaimedItem>> {
    let who = sqlx::query_as::<_, (String, String, i64)>(
        "SELECT email, name, link_epoch FROM subscribers WHERE id = $1",
    )
    .bind(reader.0)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(who.map(|(email, name, link_epoch)| ClaimedItem {
        id,
        reader,
        email,
        name,
        link_epoch,
        attempts,
    }))
}

/// The server's words, cut to a length worth keeping.
fn clip(s: &str) -> String {
    s.chars().take(500).collect()
}

/// One mail sent (or meant) for a reader, for their data export.
#[derive(Debug, Clone, Serialize)]
pub struct ReaderMail {
    /// The send's subject.
    pub subject: String,
    /// The list it went to.
    pub list: String,
    /// What became of it: sent, skipped, bounced, …
    pub state: String,
    /// When that was recorded.
    pub at: DateTime<Utc>,
}

impl Store {
    /// The mails of every send meant for reader `id`, newest first (at most 1,000).
    pub async fn reader_mails(&self, id: SubscriberId) -> Result<Vec<ReaderMail>> {
        let rows = sqlx::query_as::<_, (String, String, String, i64)>(
            "SELECT d.subject, l.name, i.state, i.updated_at FROM send_items i \
             JOIN newsletter_sends d ON d.id = i.send_id JOIN newsletter_lists l \
             ON l.id = d.list_id WHERE i.subscriber_id = $1 ORDER BY i.id DESC LIMIT 1000",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(subject, list, state, at)| ReaderMail {
                subject,
                list,
                state,
                at: from_micros(at),
            })
            .collect())
    }
}

impl Store {
    /// The slug of `article` if readers can see it at `now`.
    pub async fn published_slug(
        &self,
        article: ArticleId,
        now: DateTime<Utc>,
    ) -> Result<Option<String>> {
        let slug = sqlx::query_as::<_, (String,)>(
            "SELECT slug FROM articles WHERE id = $1 AND status IN ('published', 'scheduled') \
             AND published_at <= $2",
        )
        .bind(article.0)
        .bind(to_micros(now))
        .fetch_optional(&self.pool)
        .await?;
        Ok(slug.map(|(s,)| s))
    }

    /// Counts one click on `article` in `send` (when the operator counts clicks); nothing
    /// about who clicked is kept. Returns the story's slug if it is published, for the
    /// redirect.
    pub async fn count_click(
        &self,
        send: SendId,
        article: ArticleId,
        now: DateTime<Utc>,
    ) -> Result<Option<String>> {
        let slug = self.published_slug(article, now).await?;
        if slug.is_some() {
            sqlx::query(
                "INSERT INTO newsletter_clicks (send_id, article_id, clicks) \
                 SELECT id, $2, 1 FROM newsletter_sends WHERE id = $1 \
                 ON CONFLICT (send_id, article_id) DO UPDATE SET \
                 clicks = newsletter_clicks.clicks + 1",
            )
            .bind(send.0)
            .bind(article.0)
            .execute(&self.writer)
            .await?;
        }
        Ok(slug)
    }

    /// The clicks on each story of `send`: (story, clicks).
    pub async fn send_clicks(&self, send: SendId) -> Result<Vec<(ArticleId, i64)>> {
        let rows = sqlx::query_as::<_, (i64, i64)>(
            "SELECT article_id, clicks FROM newsletter_clicks WHERE send_id = $1",
        )
        .bind(send.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(a, n)| (ArticleId(a), n)).collect())
    }
}
