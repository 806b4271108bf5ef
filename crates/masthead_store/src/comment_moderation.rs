//! Comment moderation: the queue by status (email and address included: moderators only),
//! moving comments between statuses one by one or many at once, counts for the dashboard,
//! bans by email or address, and each story's open/closed switch. Every change is audited;
//! a change to what a story shows is logged in `comment_changes` (see `comments.rs`).

use crate::audit::{Actor, record};
use crate::comments::changed;
use crate::{Result, Store, StoreError, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, CommentId, CommentStatus};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A comment as moderators see it, email and address included.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModerationComment {
    /// Its id.
    pub id: CommentId,
    /// The story's id.
    pub article: ArticleId,
    /// The story's headline.
    pub article_title: String,
    /// The story's slug.
    pub article_slug: String,
    /// The comment it answers, for a reply.
    pub parent: Option<CommentId>,
    /// The name the reader gave.
    pub name: String,
    /// The reader's email, never shown on the site.
    pub email: String,
    /// The website the reader gave, or empty.
    pub website: String,
    /// The client address it came from (empty for comments from before addresses were kept).
    pub address: String,
    /// The comment's text.
    pub body: String,
    /// Its moderation status.
    pub status: CommentStatus,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
}

impl ModerationComment {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(ModerationComment {
            id: CommentId(row.try_get("id")?),
            article: ArticleId(row.try_get("article_id")?),
            article_title: row.try_get("article_title")?,
            article_slug: row.try_get("article_slug")?,
            parent: row.try_get::<Option<i64>, _>("parent_id")?.map(CommentId),
            name: row.try_get("author_name")?,
            email: row.try_get("author_email")?,
            website: row.try_get("website")?,
            address: row.try_get("address")?,
            body: row.try_get("body")?,
            status: CommentStatus::parse(&row.try_get::<String, _>("status")?)?,
            created_at: crate::from_micros(row.try_get("created_at")?),
        })
    }
}

/// How many comments are in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CommentCounts {
    /// Waiting for a moderator.
    pub pending: i64,
    /// Shown.
    pub approved: i64,
    /// Marked as spam.
    pub spam: i64,
    /// Refused.
    pub rejected: i64,
}

/// A ban: what kind (`email` or `address`) and its value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommentBan {
    /// `email` or `address`.
    pub kind: String,
    /// The banned email or address.
    pub value: String,
}

const QUEUE_COLUMNS: &str = "SELECT c.id AS id, c.article_id AS article_id, a.title AS article_title, \
     a.slug AS article_slug, c.parent_id AS parent_id, c.author_name AS author_name, \
     c.author_email AS author_email, c.website AS website, c.address AS address, c.body AS body, \
     c.status AS status, c.created_at AS created_at \
     FROM comments c JOIN articles a ON a.id = c.article_id";

impl Store {
    /// The comments in `status`, newest first.
    pub async fn moderation_queue(
        &self,
        status: CommentStatus,
        limit: u32,
    ) -> Result<Vec<ModerationComment>> {
        let sql = format!(
            "{QUEUE_COLUMNS} WHERE c.status = $1 \
             ORDER BY c.created_at DESC, c.id DESC LIMIT {limit}"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(status.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(ModerationComment::from_row)
            .collect()
    }

    /// One comment as moderators see it.
    pub async fn moderation_comment(&self, id: CommentId) -> Result<ModerationComment> {
        let sql = format!("{QUEUE_COLUMNS} WHERE c.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        ModerationComment::from_row(&row)
    }

    /// How many comments are in each status.
    pub async fn comment_counts(&self) -> Result<CommentCounts> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM comments GROUP BY status")
            .fetch_all(&self.pool)
            .await?;
        let mut counts = CommentCounts::default();
        for row in &rows {
            let n: i64 = row.try_get("n")?;
            match CommentStatus::parse(&row.try_get::<String, _>("status")?)? {
                CommentStatus::Pending => counts.pending = n,
                CommentStatus::Approved => counts.approved = n,
                CommentStatus::Spam => counts.spam = n,
                CommentStatus::Rejected => counts.rejected = n,
            }
        }
        Ok(counts)
    }

    /// Moves a comment to `status` (approve, reject, mark as spam), audited.
    pub async fn set_comment_status(
        &self,
        id: CommentId,
        status: CommentStatus,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if self.set_comments_status(&[id], status, actor, now).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Moves every comment of `ids` to `status` in one transaction, audited one by one;
    /// returns how many exist. Each story whose shown comments change is logged once.
    pub async fn set_comments_status(
        &self,
        ids: &[CommentId],
        status: CommentStatus,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let mut tx = self.write_tx().await?;
        let mut stories = Vec::new();
        let mut found = 0;
        for id in ids {
            let old =
                sqlx::query("UPDATE comments SET status = $1 WHERE id = $2 RETURNING article_id")
                    .bind(status.as_str())
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(row) = old else { continue };
            found += 1;
            let article = ArticleId(row.try_get("article_id")?);
            if !stories.contains(&article) {
                stories.push(article);
            }
            let target = format!("comment {}", id.0);
            record(
                &mut tx,
                actor,
                "comment.moderate",
                &target,
                status.as_str(),
                now,
            )
            .await?;
        }
        // Logging a story whose shown comments did not change costs one page render; reading
        // the old status first would cost a query per comment on every moderation.
        for article in stories {
            changed(&mut tx, article, now).await?;
        }
        self.commit(tx).await?;
        Ok(found)
    }

    /// Bans an email or address (`kind` is `email` or `address`) from commenting; already
    /// banned is fine. Audited.
    pub async fn ban_commenter(
        &self,
        kind: &str,
        value: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if !matches!(kind, "email" | "address") || value.trim().is_empty() {
            return Err(StoreError::Invalid(masthead_core::InvalidInput::new(
                "ban",
                "ban an email or an address",
            )));
        }
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO comment_bans (kind, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (kind, value) DO NOTHING",
        )
        .bind(kind)
        .bind(value.trim())
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
        record(&mut tx, actor, "comment.ban", kind, value.trim(), now).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Lifts a ban. Audited.
    pub async fn unban_commenter(
        &self,
        kind: &str,
        value: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM comment_bans WHERE kind = $1 AND value = $2")
            .bind(kind)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        record(&mut tx, actor, "comment.unban", kind, value, now).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Every ban, newest first.
    pub async fn comment_bans(&self) -> Result<Vec<CommentBan>> {
        sqlx::query("SELECT kind, value FROM comment_bans ORDER BY created_at DESC, id DESC")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(CommentBan {
                    kind: r.try_get("kind")?,
                    value: r.try_get("value")?,
                })
            })
            .collect()
    }

    /// Opens or closes a story's comments. Audited; the story's page turns over.
    pub async fn set_comments_open(
        &self,
        article: ArticleId,
        open: bool,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE articles SET comments_open = $1 WHERE id = $2")
            .bind(i64::from(open))
            .bind(article.0)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let target = format!("article {}", article.0);
        let detail = if open { "open" } else { "closed" };
        record(&mut tx, actor, "comment.switch", &target, detail, now).await?;
        changed(&mut tx, article, now).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Whether a story's comments are switched on.
    pub async fn comments_open(&self, article: ArticleId) -> Result<bool> {
        let (open,): (i64,) = sqlx::query_as("SELECT comments_open FROM articles WHERE id = $1")
            .bind(article.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(open != 0)
    }
}
