//! The desk's reads of stories: a story as the editor loads it, the desk's lists, revisions,
//! and the scheduler's promotion of due stories. Stories are written through
//! [`crate::StoryWrite`].

use crate::audit::{Actor, record};
use crate::story::{ArticleFields, FIELD_COLUMNS};
use crate::{Result, Store, StoreError, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, ArticleKind, ArticleStatus, AuthorId, ListCursor, UserId};
use serde::Serialize;
use sqlx::Row;
use std::sync::LazyLock;

/// An article as the desk edits it.
#[derive(Debug, Clone, Serialize)]
pub struct DeskArticle {
    /// Its id.
    pub id: ArticleId,
    /// Where it is in its life.
    pub status: ArticleStatus,
    /// Increases with every save; a save names the version it started from.
    pub version: i64,
    /// Who started it.
    pub owner: Option<UserId>,
    /// The editable fields.
    pub fields: ArticleFields,
    /// When it is (or was) published or scheduled for.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was last saved.
    pub modified_at: DateTime<Utc>,
}

/// A row of the desk's lists.
#[derive(Debug, Clone, Serialize)]
pub struct DeskRow {
    /// Its id.
    pub id: ArticleId,
    /// The headline.
    pub title: String,
    /// The address.
    pub slug: String,
    /// The kind.
    pub kind: ArticleKind,
    /// The status.
    pub status: ArticleStatus,
    /// Who started it.
    pub owner: String,
    /// When it is (or was) published.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was last saved.
    pub modified_at: DateTime<Utc>,
}

/// A saved revision, as listed.
#[derive(Debug, Clone, Serialize)]
pub struct RevisionInfo {
    /// The article version it saved.
    pub version: i64,
    /// Who saved it.
    pub saved_by: String,
    /// When.
    pub saved_at: DateTime<Utc>,
    /// Whether autosaves wrote it (a run of them by one person is one revision).
    pub autosaved: bool,
}

impl Store {
    /// The article as the desk edits it.
    pub async fn desk_article(&self, id: ArticleId) -> Result<DeskArticle> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, id).await
    }

    /// The desk's list of articles in `status` (any when `None`), of `owner` only when given,
    /// most recently saved first.
    pub async fn desk_list(
        &self,
        status: Option<ArticleStatus>,
        owner: Option<UserId>,
        limit: u32,
        offset: u64,
    ) -> Result<Vec<DeskRow>> {
        self.desk_list_at(status, owner, None, limit, offset).await
    }

    /// Like [`Store::desk_list`], but the `limit` articles saved just before `cursor` (a
    /// row's `modified_at` and id): one index seek at any depth, where an `OFFSET` walks.
    pub async fn desk_list_before(
        &self,
        status: Option<ArticleStatus>,
        owner: Option<UserId>,
        cursor: ListCursor,
        limit: u32,
    ) -> Result<Vec<DeskRow>> {
        self.desk_list_at(status, owner, Some(cursor), limit, 0)
            .await
    }

    async fn desk_list_at(
        &self,
        status: Option<ArticleStatus>,
        owner: Option<UserId>,
        cursor: Option<ListCursor>,
        limit: u32,
        offset: u64,
    ) -> Result<Vec<DeskRow>> {
        let sql = desk_list_sql(status, owner.is_some(), cursor.is_some(), limit, offset);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(owner) = owner {
            query = query.bind(owner.0);
        }
        if let Some(cursor) = cursor {
            query = query.bind(cursor.at).bind(cursor.id);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(desk_row).collect()
    }

    /// SQLite's plan for each desk list (tests assert none sorts the archive).
    #[doc(hidden)]
    pub async fn sqlite_desk_plans(&self) -> Result<Vec<(String, Vec<String>)>> {
        let mut plans = Vec::new();
        for status in [
            None,
            Some(ArticleStatus::Draft),
            Some(ArticleStatus::Review),
            Some(ArticleStatus::Published),
        ] {
            for (own, before) in [(false, false), (true, false), (false, true), (true, true)] {
                let sql = desk_list_sql(status, own, before, 10, 0);
                let sql = format!("EXPLAIN QUERY PLAN {sql}");
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                if own {
                    query = query.bind(1_i64);
                }
                if before {
                    query = query.bind(0_i64).bind(0_i64);
                }
                let rows = query.fetch_all(&self.pool).await?;
                plans.push((
                    format!("{status:?} own={own} before={before}"),
                    rows.iter()
                        .map(|r| r.try_get::<String, _>("detail"))
                        .collect::<Result<_, _>>()?,
                ));
            }
        }
        Ok(plans)
    }

    /// An article's revisions, newest first.
    pub async fn revisions(&self, id: ArticleId) -> Result<Vec<RevisionInfo>> {
        let rows = sqlx::query(
            "SELECT r.version, COALESCE(u.name, 'masthead') AS saved_by, r.saved_at, \
             r.autosave_run_started FROM revisions r \
             LEFT JOIN users u ON u.id = r.saved_by WHERE r.article_id = $1 ORDER BY r.version DESC",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RevisionInfo {
                    version: row.try_get("version")?,
                    saved_by: row.try_get("saved_by")?,
                    saved_at: from_micros(row.try_get("saved_at")?),
                    autosaved: row
                        .try_get::<Option<i64>, _>("autosave_run_started")?
                        .is_some(),
                })
            })
            .collect()
    }

    /// The fields an article had at `version`.
    pub async fn revision(&self, id: ArticleId, version: i64) -> Result<ArticleFields> {
        let (snapshot,): (String,) =
            sqlx::query_as("SELECT snapshot FROM revisions WHERE article_id = $1 AND version = $2")
                .bind(id.0)
                .bind(version)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?;
        Ok(serde_json::from_str(&snapshot)?)
    }

    /// The newest revision of an article older than `version`, with its version: the one
    /// a revision is compared with (autosaves fold runs of revisions, so it need not be
    /// `version - 1`).
    pub async fn revision_before(
        &self,
        id: ArticleId,
        version: i64,
    ) -> Result<Option<(i64, ArticleFields)>> {
        let row: Option<(i64, String)> = sqlx::query_as(
            "SELECT version, snapshot FROM revisions WHERE article_id = $1 AND version < $2 \
             ORDER BY version DESC LIMIT 1",
        )
        .bind(id.0)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(v, snapshot)| Ok((v, serde_json::from_str(&snapshot)?)))
            .transpose()
    }

    /// Marks every scheduled story whose time has come as published, once: on several app
    /// servers each story is promoted by exactly one of them, because the update only matches
    /// rows still scheduled. Readers see a due story whether or not this has run (the
    /// visibility rule covers it); this records the change in the status and the audit log,
    /// including stories that came due while no server was running.
    pub async fn promote_due(&self, now: DateTime<Utc>) -> Result<Vec<ArticleId>> {
        let mut tx = self.write_tx().await?;
        let rows = sqlx::query(
            "UPDATE articles SET status = 'published' \
             WHERE status = 'scheduled' AND published_at <= $1 RETURNING id, title",
        )
        .bind(to_micros(now))
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            // Nothing changed: an empty commit would tell the health check that writes work.
            tx.rollback().await?;
            return Ok(Vec::new());
        }
        let actor = Actor::system("scheduler");
        let mut ids = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let title: String = row.try_get("title")?;
            record(
                &mut tx,
                &actor,
                "article.publish",
                &format!("article {id}"),
                &title,
                now,
            )
            .await?;
            ids.push(ArticleId(id));
        }
        self.commit(tx).await?;
        Ok(ids)
    }
}

/// A row of `SELECT a.id, a.title, a.slug, a.kind, a.status, … AS owner, a.published_at,
/// a.modified_at` as the desk lists it.
pub(crate) fn desk_row(row: &sqlx::any::AnyRow) -> Result<DeskRow> {
    Ok(DeskRow {
        id: ArticleId(row.try_get("id")?),
        title: row.try_get("title")?,
        slug: row.try_get("slug")?,
        kind: ArticleKind::parse(&row.try_get::<String, _>("kind")?)?,
        status: ArticleStatus::parse(&row.try_get::<String, _>("status")?)?,
        owner: row.try_get("owner")?,
        published_at: row
            .try_get::<Option<i64>, _>("published_at")?
            .map(from_micros),
        modified_at: from_micros(row.try_get("modified_at")?),
    })
}

/// The desk list's SQL. Written so each list reads an index in order at any archive size:
/// the queues (drafts, review, scheduled, unpublished) use the index on
/// `NULLIF(status, 'published')`, which public queries never mention, so it cannot steer
/// them; published and all-status lists walk `modified_at`. The status is a closed set of
/// names, so it is written into the SQL; the owner is bound as `$1`, then a cursor's time and
/// id (`before`), read as a range seek on `modified_at`.
pub(crate) fn desk_list_sql(
    status: Option<ArticleStatus>,
    own: bool,
    before: bool,
    limit: u32,
    offset: u64,
) -> String {
    let mut conditions: Vec<String> = Vec::new();
    match status {
        Some(ArticleStatus::Published) => conditions.push("a.status = 'published'".into()),
        Some(s) => conditions.push(format!("NULLIF(a.status, 'published') = '{}'", s.as_str())),
        None => {}
    }
    if own {
        conditions.push("a.owner_id = $1".into());
    }
    if before {
        let (n, m) = if own { (2, 3) } else { (1, 2) };
        conditions.push(format!(
            "a.modified_at <= ${n} AND (a.modified_at < ${n} OR a.id < ${m})"
        ));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    format!(
        "SELECT a.id, a.title, a.slug, a.kind, a.status, COALESCE(u.name, '') AS owner, a.published_at, a.modified_at \
         FROM articles a LEFT JOIN users u ON u.id = a.owner_id {filter} \
         ORDER BY a.modified_at DESC, a.id DESC LIMIT {limit} OFFSET {offset}"
    )
}

/// The desk's `SELECT` of one story: its status and times, and [`FIELD_COLUMNS`].
static LOAD_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT status, version, owner_id, published_at, modified_at, {} FROM articles WHERE id = $1",
        FIELD_COLUMNS.join(", ")
    )
});

/// The story `id` as the desk edits it, read on `conn` (a pool connection or a write's
/// transaction).
pub(crate) async fn load(conn: &mut sqlx::AnyConnection, id: ArticleId) -> Result<DeskArticle> {
    let row = sqlx::query(sqlx::AssertSqlSafe(LOAD_SQL.as_str()))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let authors: Vec<(i64,)> = sqlx::query_as(
        "SELECT author_id FROM article_authors WHERE article_id = $1 ORDER BY position",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    let tags: Vec<(String,)> = sqlx::query_as(
        "SELECT t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.article_id = $1 ORDER BY t.name",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    let authors = authors.into_iter().map(|(a,)| AuthorId(a)).collect();
    let tags = tags.into_iter().map(|(t,)| t).collect();
    Ok(DeskArticle {
        id,
        status: ArticleStatus::parse(&row.try_get::<String, _>("status")?)?,
        version: row.try_get("version")?,
        owner: row.try_get::<Option<i64>, _>("owner_id")?.map(UserId),
        fields: ArticleFields::from_row(&row, authors, tags)?,
        published_at: row
            .try_get::<Option<i64>, _>("published_at")?
            .map(from_micros),
        modified_at: from_micros(row.try_get("modified_at")?),
    })
}
