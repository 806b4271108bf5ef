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
        let mut tx = self.pool.begin().await?;
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
        tx.commit().await?;
        Ok(CommentId(id))
    }
}
