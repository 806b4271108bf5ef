//! Reader comments. The email is kept for moderation and never shown.

use crate::{Result, Store, site, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, CommentId, CommentStatus};

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

impl Store {
    /// The comments in `status`, newest first.
    pub async fn moderation_queue(
        &self,
        status: CommentStatus,
        limit: u32,
        offset: u64,
    ) -> Result<Vec<ModerationComment>> {
        let sql = format!(
            "SELECT c.id, c.article_id, a.title, a.slug, c.author_name, c.author_email, c.body, c.created_at \
             FROM comments c JOIN articles a ON a.id = c.article_id WHERE c.status = $1 \
             ORDER BY c.created_at DESC, c.id DESC LIMIT {limit} OFFSET {offset}"
        );
        type Row = (i64, i64, String, String, String, String, String, i64);
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(status.as_str())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, article, title, slug, name, email, body, at)| ModerationComment {
                    id: CommentId(id),
                    article: ArticleId(article),
                    article_title: title,
                    article_slug: slug,
                    name,
                    email,
                    body,
                    status,
                    created_at: crate::from_micros(at),
                },
            )
            .collect())
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
