//! Shared preview links: a secret address at which anyone may read a story's latest saved
//! version until a chosen time, without logging in. Like API tokens and reset links, the
//! secret is shown once and only its SHA-256 is stored; revoking a link deletes its row,
//! and disabling the account that made it ends it too.
//!
//! Reading a link never writes (a read must not wait for the write lock); expired rows are
//! deleted when the next link of the same story is made.

use crate::audit::{Actor, record};
use crate::{Result, Store, StoreError, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, PreviewLinkId};
use sqlx::Row;

/// A live preview link as the desk lists it (never its secret).
#[derive(Debug, Clone, serde::Serialize)]
pub struct PreviewLink {
    /// Its id.
    pub id: PreviewLinkId,
    /// Who made it, if the account still exists.
    pub created_by: Option<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// What a presented preview link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreviewTarget {
    /// The story.
    pub article: ArticleId,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

impl Store {
    /// Stores a preview link of `article` under `token_hash`, valid until `expires_at`, and
    /// deletes the story's expired ones.
    pub async fn create_preview_link(
        &self,
        article: ArticleId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<PreviewLinkId> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM preview_links WHERE article_id = $1 AND expires_at <= $2")
            .bind(article.0)
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO preview_links (token_hash, article_id, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(token_hash)
        .bind(article.0)
        .bind(actor.user.map(|u| u.0))
        .bind(to_micros(now))
        .bind(to_micros(expires_at))
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            "article.preview_link",
            &format!("article {}", article.0),
            &format!("link {id}, until {}", expires_at.to_rfc3339()),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(PreviewLinkId(id))
    }

    /// The story a preview link opens, if the link exists, has not expired at `now`, and
    /// was made by an account that is not disabled.
    pub async fn preview_target(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PreviewTarget>> {
        // A link ends with its maker's account: a disabled one's links stop working.
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT p.article_id, p.expires_at FROM preview_links p \
             JOIN users u ON u.id = p.created_by AND u.disabled = 0 \
             WHERE p.token_hash = $1 AND p.expires_at > $2",
        )
        .bind(token_hash)
        .bind(to_micros(now))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(article, expires)| PreviewTarget {
            article: ArticleId(article),
            expires_at: from_micros(expires),
        }))
    }

    /// A story's unexpired preview links, the one expiring last first.
    pub async fn preview_links(
        &self,
        article: ArticleId,
        now: DateTime<Utc>,
    ) -> Result<Vec<PreviewLink>> {
        sqlx::query(
            "SELECT p.id, u.name AS created_by, p.created_at, p.expires_at FROM preview_links p \
             LEFT JOIN users u ON u.id = p.created_by \
             WHERE p.article_id = $1 AND p.expires_at > $2 ORDER BY p.expires_at DESC, p.id DESC",
        )
        .bind(article.0)
        .bind(to_micros(now))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(PreviewLink {
                id: PreviewLinkId(row.try_get("id")?),
                created_by: row.try_get("created_by")?,
                created_at: from_micros(row.try_get("created_at")?),
                expires_at: from_micros(row.try_get("expires_at")?),
            })
        })
        .collect()
    }

    /// Deletes expired preview links (they stopped working when they expired; the upkeep
    /// task clears them away); returns how many.
    pub async fn purge_preview_links(&self, now: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query("DELETE FROM preview_links WHERE expires_at <= $1")
            .bind(to_micros(now))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }

    /// Revokes preview link `id` of `article`: it stops working at once. `NotFound` when the
    /// story has no such link.
    pub async fn revoke_preview_link(
        &self,
        article: ArticleId,
        id: PreviewLinkId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM preview_links WHERE id = $1 AND article_id = $2")
            .bind(id.0)
            .bind(article.0)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        record(
            &mut tx,
            actor,
            "article.preview_link_revoke",
            &format!("article {}", article.0),
            &format!("link {}", id.0),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }
}
