//! Reader comments: posting one (every check that needs the database in the one write
//! transaction that stores it) and the public reads. The email and the client address are
//! kept for moderation and never read by a public query. Moderation is in
//! `comment_moderation.rs`.
//!
//! A comment that becomes visible (or stops being) does not bump the content version,
//! which would turn over every cached page: it appends its story to `comment_changes`, and
//! app servers turn over only the pages that show that story's comments or count (see
//! [`Store::comment_changes_since`]). A held comment writes neither.

use crate::{Result, Store, StoreError, from_micros, to_micros};
use chrono::{DateTime, Duration, Utc};
use masthead_core::comment::{Standing, first_status};
use masthead_core::{ArticleId, CommentId, CommentSettings, CommentStatus, NewComment};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

/// How long the same text from the same email, or on the same story, counts as a duplicate.
const DUPLICATE_WINDOW_HOURS: i64 = 24;

/// A comment to store: what the reader wrote, and where it came from.
#[derive(Debug, Clone)]
pub struct CommentPost<'a> {
    /// The story.
    pub article: ArticleId,
    /// The comment it replies to, if any.
    pub parent: Option<CommentId>,
    /// The checked form.
    pub comment: &'a NewComment,
    /// The client's address as the limits count it (never shown).
    pub address: &'a str,
    /// The form token's nonce: a form is posted once.
    pub nonce: &'a str,
}

/// What became of a posted comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    /// Stored, in this status.
    Stored(CommentId, CommentStatus),
    /// The story takes no comments (closed, or not on the site).
    Closed,
    /// The comment answered is not a shown comment of this story.
    NoSuchParent,
    /// The email or the address is banned; nothing stored.
    Banned,
    /// The same text was posted already; nothing stored.
    Duplicate,
    /// This form was posted before; nothing stored.
    Replay,
}

impl Store {
    /// Stores a reader's comment if every rule allows it, in one transaction: the story is
    /// on the site and open under `settings`, the parent (a reply's) is a shown top-level
    /// comment of the same story (a reply to a reply answers its top-level comment), the
    /// email and address are not banned, the form was not posted before, the text is not a
    /// duplicate; its status follows the policy (see [`first_status`]).
    pub async fn post_comment(
        &self,
        post: &CommentPost<'_>,
        settings: &CommentSettings,
        now: DateTime<Utc>,
    ) -> Result<Posted> {
        let mut tx = self.write_tx().await?;
        let outcome = post_in(&mut tx, post, settings, now).await;
        match outcome {
            Ok(Posted::Stored(id, status)) => {
                self.commit(tx).await?;
                Ok(Posted::Stored(id, status))
            }
            Ok(other) => Ok(other),
            Err(StoreError::Conflict(_)) => Ok(Posted::Replay),
            Err(e) => Err(e),
        }
    }

    /// Adds a comment to an article with the given moderation status (the demo and tests;
    /// readers post through [`Store::post_comment`]).
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
        if status == CommentStatus::Approved {
            changed(&mut tx, article, at).await?;
        }
        self.commit(tx).await?;
        Ok(CommentId(id))
    }

    /// The comment settings stored in the desk (defaults for those never set).
    pub async fn comment_settings(&self) -> Result<CommentSettings> {
        Ok(CommentSettings::from_settings(&self.settings().await?))
    }

    /// The approved comments of a visible story at `now`, oldest first, as readers see them
    /// (no email, no address); `None` when the story is not on the site.
    pub async fn public_comments(
        &self,
        slug: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(ArticleId, Vec<ShownComment>)>> {
        let Some(row) = sqlx::query(concat!(
            "SELECT ar.id AS id FROM articles ar WHERE ar.slug = $2 AND",
            crate::articles::visible!()
        ))
        .bind(to_micros(now))
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let article = ArticleId(row.try_get("id")?);
        let rows = sqlx::query(
            "SELECT id, parent_id, author_name, website, body, created_at FROM comments \
             WHERE article_id = $1 AND status = 'approved' ORDER BY created_at, id LIMIT 1000",
        )
        .bind(article.0)
        .fetch_all(&self.pool)
        .await?;
        let comments = rows
            .iter()
            .map(|r| {
                Ok(ShownComment {
                    id: CommentId(r.try_get("id")?),
                    parent: r.try_get::<Option<i64>, _>("parent_id")?.map(CommentId),
                    name: r.try_get("author_name")?,
                    website: r.try_get("website")?,
                    body: r.try_get("body")?,
                    created_at: from_micros(r.try_get("created_at")?),
                })
            })
            .collect::<Result<_>>()?;
        Ok(Some((article, comments)))
    }

    /// The stories whose shown comments changed after `seq`, with the newest sequence number
    /// read; at most `limit` (the caller turns the whole cache over when it gets that many).
    pub async fn comment_changes_since(
        &self,
        seq: i64,
        limit: u32,
    ) -> Result<(Vec<ArticleId>, i64)> {
        let sql = format!(
            "SELECT seq, article_id FROM comment_changes WHERE seq > $1 ORDER BY seq LIMIT {limit}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(seq)
            .fetch_all(&self.pool)
            .await?;
        let mut last = seq;
        let mut ids = Vec::with_capacity(rows.len());
        for r in &rows {
            last = last.max(r.try_get("seq")?);
            ids.push(ArticleId(r.try_get("article_id")?));
        }
        Ok((ids, last))
    }
}

/// A comment as every reader may see it: no email, no address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShownComment {
    /// Its id.
    pub id: CommentId,
    /// The comment it answers, for a reply.
    pub parent: Option<CommentId>,
    /// The name the reader gave.
    pub name: String,
    /// Their website, or empty.
    pub website: String,
    /// The plain text.
    pub body: String,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
}

async fn post_in(
    tx: &mut Transaction<'static, Any>,
    post: &CommentPost<'_>,
    settings: &CommentSettings,
    now: DateTime<Utc>,
) -> Result<Posted> {
    let now_us = to_micros(now);
    let story = sqlx::query(concat!(
        "SELECT ar.comments_open AS open, ar.published_at AS published_at FROM articles ar \
         WHERE ar.id = $2 AND",
        crate::articles::visible!()
    ))
    .bind(now_us)
    .bind(post.article.0)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(story) = story else {
        return Ok(Posted::Closed);
    };
    let open: i64 = story.try_get("open")?;
    let published: i64 = story.try_get("published_at")?;
    if !settings.open(open != 0, published, now_us) {
        return Ok(Posted::Closed);
    }
    let parent = match post.parent {
        None => None,
        Some(parent) => {
            let row = sqlx::query(
                "SELECT id, parent_id FROM comments WHERE id = $1 AND article_id = $2 \
                 AND status = 'approved'",
            )
            .bind(parent.0)
            .bind(post.article.0)
            .fetch_optional(&mut **tx)
            .await?;
            let Some(row) = row else {
                return Ok(Posted::NoSuchParent);
            };
            let up: Option<i64> = row.try_get("parent_id")?;
            Some(up.unwrap_or(row.try_get("id")?))
        }
    };
    let email = post.comment.email.as_str();
    let hash = post.comment.body_hash();
    let facts = sqlx::query(
        "SELECT \
         (SELECT COUNT(*) FROM comment_bans WHERE (kind = 'email' AND value = $1) \
            OR (kind = 'address' AND value = $2)) AS banned, \
         (SELECT COUNT(*) FROM comments WHERE form_nonce = $3) AS replayed, \
         (SELECT COUNT(*) FROM comments WHERE body_hash = $4 AND created_at > $5 \
            AND (article_id = $6 OR author_email = $1)) AS duplicates, \
         (SELECT COUNT(*) FROM comments WHERE author_email = $1 AND status = 'approved') AS approved",
    )
    .bind(email)
    .bind(post.address)
    .bind(post.nonce)
    .bind(&hash)
    .bind(to_micros(now - Duration::hours(DUPLICATE_WINDOW_HOURS)))
    .bind(post.article.0)
    .fetch_one(&mut **tx)
    .await?;
    let count = |name: &str| facts.try_get::<i64, _>(name);
    if count("banned")? > 0 {
        return Ok(Posted::Banned);
    }
    if count("replayed")? > 0 {
        return Ok(Posted::Replay);
    }
    if count("duplicates")? > 0 {
        return Ok(Posted::Duplicate);
    }
    let c = post.comment;
    let blocked = settings
        .blocked_word(&format!(
            "{} {} {}",
            c.name,
            c.body,
            c.website.as_ref().map_or("", |w| w.as_str())
        ))
        .is_some();
    let status = first_status(
        settings.policy,
        Standing {
            approved_before: count("approved")? > 0,
            blocked_word: blocked,
        },
    );
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO comments (article_id, parent_id, author_name, author_email, website, body, \
         status, created_at, address, body_hash, form_nonce) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(post.article.0)
    .bind(parent)
    .bind(&c.name)
    .bind(email)
    .bind(c.website.as_ref().map_or("", |w| w.as_str()))
    .bind(&c.body)
    .bind(status.as_str())
    .bind(now_us)
    .bind(post.address)
    .bind(&hash)
    .bind(post.nonce)
    .fetch_one(&mut **tx)
    .await?;
    if status == CommentStatus::Approved {
        changed(tx, post.article, now).await?;
    }
    Ok(Posted::Stored(CommentId(id), status))
}

/// Records that the comments `article` shows changed (see the module's documentation); the
/// log keeps its last 10,000 entries.
pub(crate) async fn changed(
    tx: &mut Transaction<'static, Any>,
    article: ArticleId,
    at: DateTime<Utc>,
) -> Result<()> {
    let (seq,): (i64,) = sqlx::query_as(
        "INSERT INTO comment_changes (article_id, at) VALUES ($1, $2) RETURNING seq",
    )
    .bind(article.0)
    .bind(to_micros(at))
    .fetch_one(&mut **tx)
    .await?;
    if seq % 1000 == 0 {
        sqlx::query("DELETE FROM comment_changes WHERE seq < $1")
            .bind(seq - 10_000)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
