//! What an import brought in, and its runs (`import_records`, `import_runs`; migration
//! 0022). A record ties one thing of an export (its kind and old id, under the old site's
//! address) to what it became here, with a hash of its content at the source: importing
//! the same file again finds every record and writes nothing, a thing whose hash changed is
//! updated, and a run stopped half-way resumes because each batch's stories, comments and
//! records commit together. Imported comments are written here too: they arrive approved or
//! held as the old site had them, through none of a reader's form checks.

use crate::story_batch::{marks, rows_per_statement, values};
use crate::story_write::StoryWrite;
use crate::{Result, Store, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, CommentId, CommentStatus};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// What one thing of an export became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    /// The id of what it became here (a story's, a page's, a comment's, an image's, …).
    pub local_id: i64,
    /// The hash of its content at the source when it was last imported.
    pub content_hash: String,
    /// The story's version the import wrote (0 for things without versions).
    pub version: i64,
}

/// A record to write with [`StoryWrite::put_import_records`] or [`Store::put_import_records`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImportRecord {
    /// `post`, `page`, `comment`, `image`, `author`, `section`, …
    pub kind: &'static str,
    /// Its id in the export (a WordPress id, a login, a term's slug, an image's address).
    pub old_id: String,
    /// What it became here.
    pub local_id: i64,
    /// The hash of its content at the source.
    pub content_hash: String,
    /// The story's version the import wrote.
    pub version: i64,
    /// What the desk shows beside it (JSON), or empty.
    pub data: String,
}

/// An imported comment, for [`StoryWrite::insert_imported_comments`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedComment {
    /// The story.
    pub article: ArticleId,
    /// The comment it answers (already stored), if any.
    pub parent: Option<CommentId>,
    /// The name it was posted under.
    pub name: String,
    /// The email it was posted with (kept for moderation, never shown).
    pub email: String,
    /// The commenter's website.
    pub website: String,
    /// The address it was posted from (never shown).
    pub address: String,
    /// Its text.
    pub body: String,
    /// Shown or held.
    pub status: CommentStatus,
    /// When it was posted.
    pub at: DateTime<Utc>,
}

/// One run of an import, for the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRun {
    /// Its id.
    pub id: i64,
    /// The old site's address.
    pub source: String,
    /// The file imported.
    pub file_name: String,
    /// Whether it only reported, writing nothing.
    pub dry_run: bool,
    /// `running`, `finished`, `failed` or `resumed` (taken over by a later run).
    pub state: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended, if it did.
    pub finished_at: Option<DateTime<Utc>>,
    /// Its report (JSON).
    pub report: String,
}

/// The query of import runs, before its condition.
macro_rules! run_select {
    () => {
        "SELECT id, source, file_name, dry_run, state, started_at, finished_at, report \
         FROM import_runs"
    };
}

/// The records of `source` of `kind` among `old_ids`, by old id.
async fn records_in(
    conn: &mut AnyConnection,
    source: &str,
    kind: &str,
    old_ids: &[&str],
) -> Result<HashMap<String, ImportRecord>> {
    let mut found = HashMap::new();
    for chunk in old_ids.chunks(rows_per_statement(1)) {
        let sql = format!(
            "SELECT old_id, local_id, content_hash, version FROM import_records \
             WHERE source = $1 AND kind = $2 AND old_id IN {}",
            marks(3, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .persistent(false)
            .bind(source)
            .bind(kind);
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&mut *conn).await? {
            found.insert(
                row.try_get::<String, _>("old_id")?,
                ImportRecord {
                    local_id: row.try_get("local_id")?,
                    content_hash: row.try_get("content_hash")?,
                    version: row.try_get("version")?,
                },
            );
        }
    }
    Ok(found)
}

/// Writes `records` of `source`, replacing those with the same kind and old id.
async fn put_records(
    conn: &mut AnyConnection,
    source: &str,
    records: &[NewImportRecord],
) -> Result<()> {
    const COLUMNS: usize = 7;
    for chunk in records.chunks(rows_per_statement(COLUMNS)) {
        let sql = format!(
            "INSERT INTO import_records \
             (source, kind, old_id, local_id, content_hash, version, data) VALUES {} \
             ON CONFLICT (source, kind, old_id) DO UPDATE SET local_id = excluded.local_id, \
             content_hash = excluded.content_hash, version = excluded.version, \
             data = excluded.data",
            values(chunk.len(), COLUMNS, |a| marks(a, COLUMNS))
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for r in chunk {
            query = query
                .bind(source)
                .bind(r.kind)
                .bind(r.old_id.as_str())
                .bind(r.local_id)
                .bind(r.content_hash.as_str())
                .bind(r.version)
                .bind(r.data.as_str());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

impl StoryWrite<'_> {
    /// The records of `source` of `kind` among `old_ids`, read in this write's transaction.
    pub async fn import_records(
        &mut self,
        source: &str,
        kind: &str,
        old_ids: &[&str],
    ) -> Result<HashMap<String, ImportRecord>> {
        records_in(self.conn(), source, kind, old_ids).await
    }

    /// Writes `records` of `source` in this write's transaction.
    pub async fn put_import_records(
        &mut self,
        source: &str,
        records: &[NewImportRecord],
    ) -> Result<()> {
        put_records(self.conn(), source, records).await
    }

    /// Stores `comments` in order (a reply after the comment it answers) and returns their
    /// ids. Each story with a shown comment among them is logged as changed, so app servers
    /// turn its pages over.
    pub async fn insert_imported_comments(
        &mut self,
        comments: &[ImportedComment],
        now: DateTime<Utc>,
    ) -> Result<Vec<CommentId>> {
        let mut ids = Vec::with_capacity(comments.len());
        let mut shown: Vec<ArticleId> = Vec::new();
        for c in comments {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO comments (article_id, parent_id, author_name, author_email, \
                 website, address, body, status, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(c.article.0)
            .bind(c.parent.map(|p| p.0))
            .bind(c.name.as_str())
            .bind(c.email.as_str())
            .bind(c.website.as_str())
            .bind(c.address.as_str())
            .bind(c.body.as_str())
            .bind(c.status.as_str())
            .bind(to_micros(c.at))
            .fetch_one(&mut *self.tx)
            .await?;
            ids.push(CommentId(id));
            if c.status == CommentStatus::Approved && !shown.contains(&c.article) {
                shown.push(c.article);
            }
        }
        for article in shown {
            crate::comments::changed(&mut self.tx, article, now).await?;
        }
        Ok(ids)
    }
}

impl Store {
    /// The records of `source` of `kind` among `old_ids`.
    pub async fn import_records(
        &self,
        source: &str,
        kind: &str,
        old_ids: &[&str],
    ) -> Result<HashMap<String, ImportRecord>> {
        let mut conn = self.pool.acquire().await?;
        records_in(&mut conn, source, kind, old_ids).await
    }

    /// Writes `records` of `source` in a transaction of their own (for things written
    /// outside a story write: images, bylines, sections).
    pub async fn put_import_records(
        &self,
        source: &str,
        records: &[NewImportRecord],
    ) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        put_records(&mut tx, source, records).await?;
        self.commit(tx).await
    }

    /// How many records of `kind` `source` has.
    pub async fn count_import_records(&self, source: &str, kind: &str) -> Result<i64> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM import_records WHERE source = $1 AND kind = $2")
                .bind(source)
                .bind(kind)
                .fetch_one(&self.pool)
                .await?;
        Ok(n)
    }

    /// What the import kept beside story `id` (its custom fields and old address, JSON), if
    /// it was imported.
    pub async fn imported_data(&self, id: ArticleId) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT data FROM import_records WHERE kind = 'post' AND local_id = $1 LIMIT 1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(d,)| d))
    }

    /// Records the start of an import of `file_name` from `source`; its id.
    pub async fn start_import_run(
        &self,
        source: &str,
        file_name: &str,
        dry_run: bool,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let mut tx = self.write_tx().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO import_runs (source, file_name, dry_run, state, started_at) \
             VALUES ($1, $2, $3, 'running', $4) RETURNING id",
        )
        .bind(source)
        .bind(file_name)
        .bind(i64::from(dry_run))
        .bind(to_micros(now))
        .fetch_one(&mut *tx)
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// The import of `source` that started and never ended (killed half-way), if any.
    pub async fn unfinished_import_run(&self, source: &str) -> Result<Option<ImportRun>> {
        let row = sqlx::query(concat!(
            run_select!(),
            " WHERE source = $1 AND state = 'running' AND dry_run = 0 ORDER BY id DESC LIMIT 1"
        ))
        .bind(source)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| run_from_row(&r)).transpose()
    }

    /// Ends run `id` in `state` (`finished`, `failed`, `resumed`) with its report.
    pub async fn end_import_run(
        &self,
        id: i64,
        state: &str,
        report: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE import_runs SET state = $1, report = $2, finished_at = $3 WHERE id = $4",
        )
        .bind(state)
        .bind(report)
        .bind(to_micros(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await
    }

    /// The newest import runs, newest first.
    pub async fn import_runs(&self, limit: u32) -> Result<Vec<ImportRun>> {
        // `limit` is a number, not text from a request.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{} ORDER BY id DESC LIMIT {limit}",
            run_select!()
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(run_from_row).collect()
    }

    /// One import run.
    pub async fn import_run(&self, id: i64) -> Result<Option<ImportRun>> {
        let row = sqlx::query(concat!(run_select!(), " WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| run_from_row(&r)).transpose()
    }
}

fn run_from_row(row: &sqlx::any::AnyRow) -> Result<ImportRun> {
    Ok(ImportRun {
        id: row.try_get("id")?,
        source: row.try_get("source")?,
        file_name: row.try_get("file_name")?,
        dry_run: row.try_get::<i64, _>("dry_run")? != 0,
        state: row.try_get("state")?,
        started_at: from_micros(row.try_get("started_at")?),
        finished_at: row
            .try_get::<Option<i64>, _>("finished_at")?
            .map(from_micros),
        report: row.try_get("report")?,
    })
}

impl StoryWrite<'_> {
    /// Writes `redirects` in this write's transaction (an import's old addresses commit
    /// with the stories they lead to).
    pub async fn add_redirects(
        &mut self,
        redirects: &[crate::NewRedirect],
        now: DateTime<Utc>,
    ) -> Result<crate::RedirectsAdded> {
        crate::redirects::add_redirects_in(&mut self.tx, redirects, now).await
    }
}
