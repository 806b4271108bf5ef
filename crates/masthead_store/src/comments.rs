//! Reader comments. The email is kept for moderation and never shown.

use crate::{Result, Store, site, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, CommentId, CommentStatus};
use sqlx::Row;
use sqlx::any::AnyRow;

impl Store {
    /// Adds a comment to an article with the given moderation status.
    pub async fn insert_comment(
        &self,
        article: ArticleId,
        name: &str,
        email: &str,
        body: &str,
        status: CommentStatus,
        at: DateTime<Utc>,
    ) -> Result<CommentId> {
        let mut tx = self.write_tx().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO comments (article_id, author_name, author_email, body, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(article.0)
        .bind(name)
        .bind(email)
        .bind(body)
        .bind(status.as_str())
        .bind(to_micros(at))
        .fetch_one(&mut *tx)
        .await?;
        site::bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok(CommentId(id))
    }
}

/// A comment as moderators see it, email included.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModerationComment {
    /// Its id.
    pub id: CommentId,
    /// The story's id, headline and slug.
    pub article: ArticleId,
    /// The story's headline.
    pub article_title: String,
    /// The story's slug.
    pub article_slug: String,
    /// The name the reader gave.
    pub name: String,
    /// The reader's email, never shown on the site.
    pub email: String,
    /// The comment's text.
    pub body: String,
    /// Its moderation status.
    pub status: CommentStatus,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
}

impl ModerationComment {
    /// Reads a row of the moderation queue by column name; every row has `status`.
    fn from_row(row: &AnyRow, status: CommentStatus) -> Result<Self> {
        Ok(ModerationComment {
            id: CommentId(row.try_get("id")?),
            article: ArticleId(row.try_get("article_id")?),
            article_title: row.try_get("article_title")?,
            article_slug: row.try_get("article_slug")?,
            name: row.try_get("author_name")?,
            email: row.try_get("author_email")?,
            body: row.try_get("body")?,
            status,
            created_at: crate::from_micros(row.try_get("created_at")?),
        })
    }
}

impl Store {
    /// The comments in `status`, newest first.
    pub async fn moderation_queue(
        &self,
        status: CommentStatus,
        limit: u32,
        offset: u64,
    ) -> Result<Vec<ModerationComment>> {
        let sql = format!(
            "SELECT c.id AS id, c.article_id AS article_id, a.title AS article_title, \
             a.slug AS article_slug, c.author_name AS author_name, c.author_email AS author_email, \
             c.body AS body, c.created_at AS created_at \
             FROM comments c JOIN articles a ON a.id = c.article_id WHERE c.status = $1 \
             ORDER BY c.created_at DESC, c.id DESC LIMIT {limit} OFFSET {offset}"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(status.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| ModerationComment::from_row(row, status))
            .collect()
    }

    /// Moves a comment to `status` (approve, reject, mark as spam), audited.
    pub async fn set_comment_status(
        &self,
        id: CommentId,
        status: CommentStatus,
        actor: &crate::Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE comments SET status = $1 WHERE id = $2")
            .bind(status.as_str())
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::NotFound);
        }
        let target = format!("comment {}", id.0);
        crate::audit::record(
            &mut tx,
            actor,
            "comment.moderate",
            &target,
            status.as_str(),
            now,
        )
        .await?;
        site::bump_version(&mut tx).await?;
        self.commit(tx).await?;
        Ok(())
    }
}
