//! The newsletter's readers and lists (migration 0026): signing up (a `pending` reader and
//! the confirmation mail, queued in the same transaction), confirming, choosing lists,
//! leaving one list or all, erasing, and the desk's searches, counts and imports.
//!
//! Leaving is immediate: the transaction that removes a subscription also marks `skipped`
//! every item still queued for that reader on that list's sends, and the worker checks the
//! subscription again just before it hands a message to the server (see
//! `newsletter_sends.rs`), so nobody is mailed after they left.
//! One-off mails to one reader (the confirmation link, a fresh preferences link) go through
//! `newsletter_outbox`; how many one address may be sent is bounded here, in the database,
//! so every app server counts the same.

use crate::audit::{Actor, record};
use crate::{Result, Store, StoreError, from_micros, to_micros};
use chrono::{DateTime, Duration, Utc};
use masthead_core::{EmailAddress, ListId, SubscriberId};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// One-off mails one address may be sent in [`MAIL_WINDOW_SHORT`]…
pub const MAILS_PER_SHORT_WINDOW: i64 = 1;
/// …the short window…
pub const MAIL_WINDOW_SHORT: Duration = Duration::minutes(10);
/// …and in a day.
pub const MAILS_PER_DAY: i64 = 3;
/// Readers per page of the desk's list.
pub const SUBSCRIBERS_PAGE: i64 = 50;

/// What a list sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ListKind {
    /// A selection of stories, sent on the editor's schedule.
    Digest,
    /// One story, sent when it breaks.
    Alert,
}

impl ListKind {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Digest => "digest",
            Self::Alert => "alert",
        }
    }

    fn parse(s: &str) -> Self {
        if s == "alert" {
            Self::Alert
        } else {
            Self::Digest
        }
    }
}

/// A newsletter list with how many confirmed readers take it.
#[derive(Debug, Clone, Serialize)]
pub struct NewsletterList {
    /// Its id.
    pub id: ListId,
    /// Its address part (`daily`).
    pub slug: String,
    /// Its name, as readers see it.
    pub name: String,
    /// One line for the signup form.
    pub description: String,
    /// Digest or alert.
    pub kind: ListKind,
    /// When it was last sent.
    pub last_sent_at: Option<DateTime<Utc>>,
    /// Confirmed readers on it.
    pub readers: i64,
}

/// What the desk writes of a list.
#[derive(Debug, Clone)]
pub struct ListFields {
    /// Its address part (only for a new list; a list keeps its slug).
    pub slug: String,
    /// Its name.
    pub name: String,
    /// One line for the signup form.
    pub description: String,
    /// Digest or alert (only for a new list).
    pub kind: ListKind,
}

/// Where a reader stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubscriberStatus {
    /// Signed up, not yet confirmed: sent nothing but the confirmation.
    Pending,
    /// Confirmed: sent what their lists send.
    Confirmed,
    /// Left every list.
    Unsubscribed,
    /// The mail server refused the address as unknown.
    Bounced,
}

impl SubscriberStatus {
    /// Every status, in the desk's order.
    pub const ALL: [SubscriberStatus; 4] = [
        Self::Confirmed,
        Self::Pending,
        Self::Unsubscribed,
        Self::Bounced,
    ];

    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Unsubscribed => "unsubscribed",
            Self::Bounced => "bounced",
        }
    }

    /// The status named `s`, if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A reader, with the lists they take.
#[derive(Debug, Clone, Serialize)]
pub struct Subscriber {
    /// Their id.
    pub id: SubscriberId,
    /// The address as given (domain lowercased).
    pub email: String,
    /// The name they gave, if any.
    pub name: String,
    /// Where they stand.
    pub status: SubscriberStatus,
    /// How they came: `form`, `import` or `desk`.
    pub source: String,
    /// In every link mailed to them; bumped to revoke those links.
    pub link_epoch: i64,
    /// The server's words when the address bounced.
    pub bounce_reason: String,
    /// When they signed up.
    pub created_at: DateTime<Utc>,
    /// When they confirmed.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The lists they take.
    pub lists: Vec<ListId>,
}

/// What a signup led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signup {
    /// A confirmation mail is queued for this reader.
    Confirm(SubscriberId),
    /// Already confirmed: a mail with a link to their preferences is queued instead
    /// (nothing about their lists changes without a click in their own mailbox).
    Manage(SubscriberId),
    /// The address has had its share of mail for now; nothing is queued.
    Throttled,
}

/// What following a confirmation link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmed {
    /// Confirmed now.
    Now,
    /// Confirmed before.
    Already,
    /// The reader left or was erased since.
    Gone,
}

/// One row of an import.
#[derive(Debug, Clone)]
pub struct ImportedReader {
    /// The address.
    pub email: EmailAddress,
    /// The name, if the file had one.
    pub name: String,
    /// Whether the old list had this reader confirmed (they get no confirmation mail).
    pub confirmed: bool,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    /// New readers.
    pub added: u64,
    /// Readers already here, given the lists.
    pub existing: u64,
    /// Readers who had left or bounced: left alone.
    pub kept_out: u64,
}

/// The address's form in `email_key`: one address, one row.
pub fn email_key(email: &EmailAddress) -> String {
    email.as_str().to_lowercase()
}

const SUBSCRIBER_COLUMNS: &str = "s.id, s.email, s.name, s.status, s.source, s.link_epoch, \
     s.bounce_reason, s.created_at, s.confirmed_at";

fn subscriber_from(row: &AnyRow) -> Result<Subscriber> {
    let status: String = row.try_get("status")?;
    Ok(Subscriber {
        id: SubscriberId(row.try_get("id")?),
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        status: SubscriberStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("subscriber status {status:?}")))?,
        source: row.try_get("source")?,
        link_epoch: row.try_get("link_epoch")?,
        bounce_reason: row.try_get("bounce_reason")?,
        created_at: from_micros(row.try_get("created_at")?),
        confirmed_at: row
            .try_get::<Option<i64>, _>("confirmed_at")?
            .map(from_micros),
        lists: Vec::new(),
    })
}

fn list_from(row: &AnyRow) -> Result<NewsletterList> {
    Ok(NewsletterList {
        id: ListId(row.try_get("id")?),
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        kind: ListKind::parse(&row.try_get::<String, _>("kind")?),
        last_sent_at: row
            .try_get::<Option<i64>, _>("last_sent_at")?
            .map(from_micros),
        readers: row.try_get("readers")?,
    })
}

/// Marks `skipped` what is still queued for `reader` on `list`'s sends (every list's with
/// `None`), in the transaction that took them off.
pub(crate) async fn skip_queued(
    tx: &mut Transaction<'static, Any>,
    reader: SubscriberId,
    list: Option<ListId>,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE send_items SET state = 'skipped', updated_at = $3 \
         WHERE subscriber_id = $1 AND state = 'queued' AND ($2 IS NULL OR send_id IN \
         (SELECT id FROM newsletter_sends WHERE list_id = $2))",
    )
    .bind(reader.0)
    .bind(list.map(|l| l.0))
    .bind(to_micros(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Every list, in the desk's order, with its confirmed readers.
    pub async fn newsletter_lists(&self) -> Result<Vec<NewsletterList>> {
        let rows = sqlx::query(
            "SELECT l.id, l.slug, l.name, l.description, l.kind, l.last_sent_at, \
             (SELECT count(*) FROM subscriptions x JOIN subscribers s ON s.id = x.subscriber_id \
              WHERE x.list_id = l.id AND s.status = 'confirmed') AS readers \
             FROM newsletter_lists l ORDER BY l.position, l.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(list_from).collect()
    }

    /// Renames and redescribes list `id`, or adds a list when `id` is `None` (with `slug` and
    /// `kind`). The signup forms change at once (the content version moves). Audit-logged.
    pub async fn save_newsletter_list(
        &self,
        id: Option<ListId>,
        list: &ListFields,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ListId> {
        let (slug, name, description) = (&list.slug, &list.name, &list.description);
        let mut tx = self.write_tx().await?;
        let id = match id {
            Some(id) => {
                let done = sqlx::query(
                    "UPDATE newsletter_lists SET name = $2, description = $3 WHERE id = $1",
                )
                .bind(id.0)
                .bind(name)
                .bind(description)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                id
            }
            None => {
                let (id,) = sqlx::query_as::<_, (i64,)>(
                    "INSERT INTO newsletter_lists (slug, name, description, kind, position, \
                     created_at) VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position), 0) + 1 \
                     FROM newsletter_lists), $5) RETURNING id",
                )
                .bind(slug)
                .bind(name)
                .bind(description)
                .bind(list.kind.as_str())
                .bind(to_micros(now))
                .fetch_one(&mut *tx)
                .await?;
                ListId(id)
            }
        };
        crate::site::bump_version(&mut tx).await?;
        record(
            &mut tx,
            actor,
            "newsletter.list",
            &format!("list:{id}"),
            name,
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// The key newsletter links are signed with, made on first use. Never rotate it: the
    /// unsubscribe link in every mail already delivered is signed with it.
    pub async fn newsletter_key(&self) -> Result<String> {
        self.named_form_key("newsletter").await
    }

    /// A reader by id, with their lists.
    pub async fn subscriber(&self, id: SubscriberId) -> Result<Option<Subscriber>> {
        let sql = format!("SELECT {SUBSCRIBER_COLUMNS} FROM subscribers s WHERE s.id = $1");
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let mut reader = subscriber_from(&row)?;
        reader.lists = sqlx::query_as::<_, (i64,)>(
            "SELECT list_id FROM subscriptions WHERE subscriber_id = $1 ORDER BY list_id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|(l,)| ListId(l))
        .collect();
        Ok(Some(reader))
    }

    /// A reader signs up for `lists` from the public form. In one transaction: a new (or
    /// departed) address becomes `pending` with those lists and a confirmation mail is
    /// queued; a confirmed address is left as it is and sent a link to its preferences.
    /// An address that had [`MAILS_PER_SHORT_WINDOW`] mails in the last ten minutes or
    /// [`MAILS_PER_DAY`] in a day is sent nothing more ([`Signup::Throttled`]); the page
    /// the reader sees is the same either way.
    pub async fn sign_up(
        &self,
        email: &EmailAddress,
        name: &str,
        lists: &[ListId],
        now: DateTime<Utc>,
    ) -> Result<Signup> {
        let mut tx = self.write_tx().await?;
        let found = sqlx::query_as::<_, (i64, String)>(
            "SELECT id, status FROM subscribers WHERE email_key = $1",
        )
        .bind(email_key(email))
        .fetch_optional(&mut *tx)
        .await?;
        let (id, confirmed) = match found {
            Some((id, status)) => (SubscriberId(id), status == "confirmed"),
            None => {
                let (id,) = sqlx::query_as::<_, (i64,)>(
                    "INSERT INTO subscribers (email, email_key, name, status, source, created_at, \
                     updated_at) VALUES ($1, $2, $3, 'pending', 'form', $4, $4) RETURNING id",
                )
                .bind(email.as_str())
                .bind(email_key(email))
                .bind(name)
                .bind(to_micros(now))
                .fetch_one(&mut *tx)
                .await?;
                (SubscriberId(id), false)
            }
        };
        if !mail_allowed(&mut tx, id, now).await? {
            return Ok(Signup::Throttled);
        }
        if !confirmed {
            sqlx::query(
                "UPDATE subscribers SET status = 'pending', name = CASE WHEN $2 = '' THEN name \
                 ELSE $2 END, updated_at = $3 WHERE id = $1",
            )
            .bind(id.0)
            .bind(name)
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await?;
            replace_lists(&mut tx, id, lists, now).await?;
        }
        let kind = if confirmed { "manage" } else { "confirm" };
        queue_mail(&mut tx, id, kind, now).await?;
        self.commit(tx).await?;
        Ok(if confirmed {
            Signup::Manage(id)
        } else {
            Signup::Confirm(id)
        })
    }

    /// Queues a fresh preferences link for `id` (an expired link's "email me a new one"),
    /// within the same per-address limits as signing up; `false` when throttled.
    pub async fn queue_preferences_mail(
        &self,
        id: SubscriberId,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        if !mail_allowed(&mut tx, id, now).await? {
            return Ok(false);
        }
        queue_mail(&mut tx, id, "manage", now).await?;
        self.commit(tx).await?;
        Ok(true)
    }

    /// Confirms reader `id` if their link's epoch is still `epoch`.
    pub async fn confirm_subscriber(
        &self,
        id: SubscriberId,
        epoch: i64,
        now: DateTime<Utc>,
    ) -> Result<Confirmed> {
        let mut tx = self.write_tx().await?;
        let status = sqlx::query_as::<_, (String,)>(
            "SELECT status FROM subscribers WHERE id = $1 AND link_epoch = $2",
        )
        .bind(id.0)
        .bind(epoch)
        .fetch_optional(&mut *tx)
        .await?;
        let answer = match status.as_ref().map(|(s,)| s.as_str()) {
            None | Some("unsubscribed") => Confirmed::Gone,
            Some("confirmed") => Confirmed::Already,
            Some(_) => {
                sqlx::query(
                    "UPDATE subscribers SET status = 'confirmed', confirmed_at = $2, \
                     bounce_reason = '', updated_at = $2 WHERE id = $1",
                )
                .bind(id.0)
                .bind(to_micros(now))
                .execute(&mut *tx)
                .await?;
                Confirmed::Now
            }
        };
        self.commit(tx).await?;
        Ok(answer)
    }

    /// Sets the lists reader `id` takes (the preferences page). Leaving every list is
    /// unsubscribing; choosing one again later needs no new confirmation.
    pub async fn set_reader_lists(
        &self,
        id: SubscriberId,
        lists: &[ListId],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let dropped = sqlx::query_as::<_, (i64,)>(
            "SELECT list_id FROM subscriptions WHERE subscriber_id = $1",
        )
        .bind(id.0)
        .fetch_all(&mut *tx)
        .await?;
        for (list,) in dropped {
            if !lists.contains(&ListId(list)) {
                skip_queued(&mut tx, id, Some(ListId(list)), now).await?;
            }
        }
        replace_lists(&mut tx, id, lists, now).await?;
        sqlx::query(
            "UPDATE subscribers SET status = CASE WHEN $2 = 0 THEN 'unsubscribed' \
             WHEN status = 'unsubscribed' THEN 'confirmed' ELSE status END, updated_at = $3 \
             WHERE id = $1 AND status IN ('confirmed', 'unsubscribed')",
        )
        .bind(id.0)
        .bind(i64::from(!lists.is_empty()))
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await
    }

    /// Takes reader `id` off `list` (off every list with `None`); `true` if they were on it.
    /// Whatever is still queued for them there is skipped in the same transaction.
    pub async fn unsubscribe(
        &self,
        id: SubscriberId,
        list: Option<ListId>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let gone = sqlx::query(
            "DELETE FROM subscriptions WHERE subscriber_id = $1 AND ($2 IS NULL OR list_id = $2)",
        )
        .bind(id.0)
        .bind(list.map(|l| l.0))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        skip_queued(&mut tx, id, list, now).await?;
        sqlx::query(
            "UPDATE subscribers SET status = 'unsubscribed', updated_at = $2 WHERE id = $1 \
             AND status <> 'bounced' AND NOT EXISTS \
             (SELECT 1 FROM subscriptions WHERE subscriber_id = $1)",
        )
        .bind(id.0)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await?;
        Ok(gone > 0)
    }

    /// Deletes reader `id` and everything stored about them (their subscriptions and mails;
    /// what was sent to them stays counted, without their name). Audit-logged for `actor`.
    pub async fn erase_subscriber(
        &self,
        id: SubscriberId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        skip_queued(&mut tx, id, None, now).await?;
        let gone = sqlx::query("DELETE FROM subscribers WHERE id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone > 0 {
            record(
                &mut tx,
                actor,
                "newsletter.erase",
                &format!("subscriber:{id}"),
                "",
                now,
            )
            .await?;
        }
        self.commit(tx).await?;
        Ok(gone > 0)
    }

    /// Marks reader `id` bounced with the server's `reason` (their address is unknown) and
    /// skips what is queued for them.
    pub async fn mark_bounced(
        &self,
        id: SubscriberId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE subscribers SET status = 'bounced', bounce_reason = $2, updated_at = $3 \
             WHERE id = $1",
        )
        .bind(id.0)
        .bind(reason.chars().take(500).collect::<String>())
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
        skip_queued(&mut tx, id, None, now).await?;
        self.commit(tx).await
    }

    /// The desk's readers: those whose address or name contains `query`, of `status` if
    /// given, newest first, [`SUBSCRIBERS_PAGE`] from before id `before`.
    pub async fn find_subscribers(
        &self,
        query: &str,
        status: Option<SubscriberStatus>,
        before: Option<SubscriberId>,
    ) -> Result<Vec<Subscriber>> {
        let like = format!("%{}%", escape_like(&query.trim().to_lowercase()));
        let sql = format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers s WHERE ($1 = '%%' OR s.email_key \
             LIKE $1 ESCAPE '\\' OR lower(s.name) LIKE $1 ESCAPE '\\') AND ($2 IS NULL OR \
             s.status = $2) AND ($3 IS NULL OR s.id < $3) ORDER BY s.id DESC LIMIT {SUBSCRIBERS_PAGE}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(like)
            .bind(status.map(SubscriberStatus::as_str))
            .bind(before.map(|b| b.0))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(subscriber_from).collect()
    }

    /// How many readers have each status.
    pub async fn subscriber_counts(&self) -> Result<Vec<(SubscriberStatus, i64)>> {
        let rows = sqlx::query_as::<_, (String, i64)>(
            "SELECT status, count(*) FROM subscribers GROUP BY status",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(SubscriberStatus::ALL
            .into_iter()
            .map(|s| {
                let n = rows
                    .iter()
                    .find(|(k, _)| k == s.as_str())
                    .map_or(0, |r| r.1);
                (s, n)
            })
            .collect())
    }

    /// Every reader with the slugs of their lists, oldest first, for the desk's export.
    pub async fn export_subscribers(&self) -> Result<Vec<(Subscriber, Vec<String>)>> {
        let sql = format!(
            "SELECT {SUBSCRIBER_COLUMNS}, (SELECT {agg} FROM subscriptions x JOIN \
             newsletter_lists l ON l.id = x.list_id WHERE x.subscriber_id = s.id) AS slugs \
             FROM subscribers s ORDER BY s.id",
            agg = match self.backend() {
                crate::Backend::Sqlite => "group_concat(l.slug, ' ')",
                crate::Backend::Postgres => "string_agg(l.slug, ' ' ORDER BY l.slug)",
            }
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let slugs: Option<String> = row.try_get("slugs")?;
                let slugs = slugs
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect();
                Ok((subscriber_from(row)?, slugs))
            })
            .collect()
    }

    /// Brings in an old list's readers onto `lists`, in one transaction: new addresses are
    /// added, confirmed when the file says so (else `pending`, sent a confirmation); readers
    /// already here are given the lists; those who left or bounced are left out (a file
    /// never overrides a reader's own "no"). Audit-logged for `actor`.
    pub async fn import_subscribers(
        &self,
        readers: &[ImportedReader],
        lists: &[ListId],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<ImportCounts> {
        let mut counts = ImportCounts::default();
        let mut tx = self.write_tx().await?;
        for reader in readers {
            let status = if reader.confirmed {
                "confirmed"
            } else {
                "pending"
            };
            let inserted = sqlx::query_as::<_, (i64,)>(
                "INSERT INTO subscribers (email, email_key, name, status, source, created_at, \
                 confirmed_at, updated_at) VALUES ($1, $2, $3, $4, 'import', $5, $6, $5) \
                 ON CONFLICT (email_key) DO NOTHING RETURNING id",
            )
            .bind(reader.email.as_str())
            .bind(email_key(&reader.email))
            .bind(reader.name.as_str())
            .bind(status)
            .bind(to_micros(now))
            .bind(reader.confirmed.then(|| to_micros(now)))
            .fetch_optional(&mut *tx)
            .await?;
            let id = match inserted {
                Some((id,)) => {
                    counts.added += 1;
                    if !reader.confirmed {
                        queue_mail(&mut tx, SubscriberId(id), "confirm", now).await?;
                    }
                    SubscriberId(id)
                }
                None => {
                    let (id, status) = sqlx::query_as::<_, (i64, String)>(
                        "SELECT id, status FROM subscribers WHERE email_key = $1",
                    )
                    .bind(email_key(&reader.email))
                    .fetch_one(&mut *tx)
                    .await?;
                    if status == "unsubscribed" || status == "bounced" {
                        counts.kept_out += 1;
                        continue;
                    }
                    counts.existing += 1;
                    SubscriberId(id)
                }
            };
            add_lists(&mut tx, id, lists, now).await?;
        }
        record(
            &mut tx,
            actor,
            "newsletter.import",
            "subscribers",
            &format!(
                "{} added, {} already here, {} left out",
                counts.added, counts.existing, counts.kept_out
            ),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(counts)
    }
}

/// Whether `id` may be sent another one-off mail now.
async fn mail_allowed(
    tx: &mut Transaction<'static, Any>,
    id: SubscriberId,
    now: DateTime<Utc>,
) -> Result<bool> {
    let (short, day) = sqlx::query_as::<_, (i64, i64)>(
        "SELECT COALESCE(SUM(CASE WHEN created_at > $2 THEN 1 ELSE 0 END), 0), count(*) \
         FROM newsletter_outbox WHERE subscriber_id = $1 AND created_at > $3",
    )
    .bind(id.0)
    .bind(to_micros(now - MAIL_WINDOW_SHORT))
    .bind(to_micros(now - Duration::days(1)))
    .fetch_one(&mut **tx)
    .await?;
    Ok(short < MAILS_PER_SHORT_WINDOW && day < MAILS_PER_DAY)
}

async fn queue_mail(
    tx: &mut Transaction<'static, Any>,
    id: SubscriberId,
    kind: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO newsletter_outbox (subscriber_id, kind, state, next_attempt_at, created_at, \
         updated_at) VALUES ($1, $2, 'queued', $3, $3, $3)",
    )
    .bind(id.0)
    .bind(kind)
    .bind(to_micros(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn replace_lists(
    tx: &mut Transaction<'static, Any>,
    id: SubscriberId,
    lists: &[ListId],
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("DELETE FROM subscriptions WHERE subscriber_id = $1")
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    add_lists(tx, id, lists, now).await
}

async fn add_lists(
    tx: &mut Transaction<'static, Any>,
    id: SubscriberId,
    lists: &[ListId],
    now: DateTime<Utc>,
) -> Result<()> {
    for list in lists {
        sqlx::query(
            "INSERT INTO subscriptions (subscriber_id, list_id, created_at) \
             SELECT $1, id, $3 FROM newsletter_lists WHERE id = $2 \
             ON CONFLICT (subscriber_id, list_id) DO NOTHING",
        )
        .bind(id.0)
        .bind(list.0)
        .bind(to_micros(now))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
